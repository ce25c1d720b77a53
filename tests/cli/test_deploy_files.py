"""The Dockerfile and compose.yaml, read as a container runtime would (no Docker
engine here): every long-running service has a health check that fits it, and each
health check is a command line the real CLI accepts."""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app import cli

ROOT = Path(__file__).resolve().parents[2]
ROLE_OF_COMMAND = {"serve": "api", "worker": "worker", "smtpd": "smtpd"}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def exec_form(arguments: str) -> list[str]:
    """The argv of a CMD/ENTRYPOINT/HEALTHCHECK CMD in exec (JSON) form."""
    argv = json.loads(arguments)
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    return argv


def assert_cli_accepts(argv: list[str]) -> None:
    """A usage error exits 2; a health probe of a missing service exits 1."""
    assert argv[:2] == ["mailroom", "health"], argv
    result = CliRunner().invoke(cli.app, [*argv[1:], "--timeout", "0.5"])
    assert result.exit_code in (0, 1), (argv, result.exit_code, result.output)


def compose_services() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def test_the_image_checks_the_api_on_readyz_with_the_cli():
    instructions = dockerfile_instructions()
    (healthcheck,) = [args for name, args in instructions if name == "HEALTHCHECK"]
    options, _, command = healthcheck.partition("CMD ")
    argv = exec_form(command)
    assert argv[:3] == ["mailroom", "health", "api"]  # GETs /readyz
    assert "--timeout=" in options and "--interval=" in options
    assert_cli_accepts(argv)
    (entrypoint,) = [exec_form(a) for n, a in instructions if n == "ENTRYPOINT"]
    (default,) = [exec_form(a) for n, a in instructions if n == "CMD"]
    assert entrypoint == ["mailroom"] and default[0] == "serve"


@pytest.mark.parametrize("name", ["api", "worker", "smtpd"])
def test_each_compose_service_has_a_health_check_of_its_own_kind(name):
    service = compose_services()[name]
    command = service["command"]
    role = ROLE_OF_COMMAND[command[0]]
    test = service["healthcheck"]["test"]
    argv = test[1:] if test[0] == "CMD" else shlex.split(test[1])
    assert argv[:3] == ["mailroom", "health", role], (name, argv)
    if role == "smtpd":
        port = command[command.index("--port") + 1]
        assert argv[argv.index("--port") + 1] == port
    assert_cli_accepts(argv)


def test_the_build_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".venv", "var", ".env", ".git"):
        assert path in ignored
