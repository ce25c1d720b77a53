"""The README's tour, pasted into bash against `make run` (`mailroom dev`) as a new
user would: every shell block between the tour markers runs in order, from a folder
holding `examples/`, and every step must answer without a GraphQL error."""

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from app.settings import Settings

from .harness import EXAMPLES, free_port, mailroom_command, wait_until

README = Path(__file__).resolve().parents[2] / "README.md"
TOUR_TIMEOUT = 120


def tour_script(token: str, port: int) -> str:
    text = README.read_text()
    tour = text[text.index("<!-- tour:begin -->") : text.index("<!-- tour:end -->")]
    blocks = re.findall(r"```sh\n(.*?)```", tour, re.S)
    assert len(blocks) >= 5, "the tour lost its shell blocks"
    script = "set -euo pipefail\n" + "\n".join(blocks)
    script = re.sub(r"(?m)^export TOKEN=\S+$", f"export TOKEN={token}", script)
    return script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def test_the_readme_tour_works_when_pasted(tmp_path):
    # Given a folder with the examples and `mailroom dev` running on the defaults
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    port = free_port()
    log = (tmp_path / "dev.log").open("w")
    dev = subprocess.Popen(
        [*mailroom_command(), "dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    try:
        banner = {}
        for line in dev.stdout:
            name, _, value = line.partition(":")
            banner[name.strip()] = value.strip()
            if "Admin token" in banner:
                break
        token = banner["Admin token"]

        # When the tour's commands run in bash, as pasted
        result = subprocess.run(
            ["bash", "-c", tour_script(token, port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TOUR_TIMEOUT,
        )

        # Then each step answered: the invoice imported, the reply threaded, the
        # answer written to the outbox, the PDF downloaded, the service ready
        out = result.stdout
        assert result.returncode == 0, (out, result.stderr)
        answers = [json.loads(line) for line in out.splitlines() if line[:1] == "{"]
        assert answers and all("errors" not in a for a in answers), out
        assert '"status":"SUCCEEDED"' in out
        assert '"method":"IN_REPLY_TO"' in out
        assert '"labels":["REPLY"]' in out
        wait_until(
            lambda: list((tmp_path / "var" / "outbox").glob("*.eml")),
            timeout=20,
            what="the reply in var/outbox",
        )
        assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")
        assert '"status":"ok"' in out
    finally:
        dev.send_signal(signal.SIGINT)
        try:
            dev.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait(timeout=10)
        dev.stdout.close()
        log.close()
    assert "Traceback" not in (tmp_path / "dev.log").read_text()
