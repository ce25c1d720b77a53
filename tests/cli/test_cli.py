"""The `mailroom` console script: as a real process against its own SQLite file, and
in-process (typer's CliRunner) against this test's database, PostgreSQL or SQLite."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app import cli, db
from app.accounts import service as accounts
from app.accounts.models import Organization, Role, User
from app.core import ids
from app.graphql.schema import schema_sdl
from app.inboxes.models import Inbox, Queue
from app.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "mailroom"


def _command() -> list[str]:
    """The installed console script, or the same entry point through this Python."""
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env["VAR_DIR"] = str(tmp_path / "var")
    env["DATABASE_URL"] = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    return env


@pytest.fixture
def mailroom(
    cli_env: dict[str, str], tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess]:
    """Run `mailroom ARGS…` in tmp_path (no stray .env) with this test's database."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*_command(), *args],
            env=cli_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture
def migrated(mailroom) -> None:
    result = mailroom("migrate")
    assert result.returncode == 0, result.stderr


@pytest.fixture
async def orm(cli_env: dict[str, str], migrated) -> AsyncIterator[None]:
    """This process's ORM on the CLI's database, to check what the commands did."""
    assert await db.open_db(cli_env["DATABASE_URL"]), "the ORM was already open"
    yield
    await db.close_db()


def _assert_clean_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip(), "a message on stderr"
    assert "Traceback" not in result.stderr
    assert "──" not in result.stderr  # no rich-formatted traceback either
    for word in words:
        assert word in result.stderr


def test_migrate_is_idempotent(mailroom, cli_env):
    # Given a fresh, empty SQLite file
    # When migrations are applied twice
    first = mailroom("migrate")
    second = mailroom("migrate")

    # Then both runs succeed and the file exists
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "migrations applied" in first.stdout
    assert Path(cli_env["DATABASE_URL"].removeprefix("sqlite://")).exists()


async def test_org_create_prints_one_json_object_whose_token_authenticates(
    mailroom, migrated, orm
):
    # When an organization is created from the command line
    result = mailroom("org", "create", "Globex", "--admin-email", "Boss@Globex.test")

    # Then stdout is exactly one JSON object with the three keys
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    printed = json.loads(lines[0])
    assert set(printed) == {"organization", "user", "token"}

    # And the ids are global ids of the created rows
    org_id = ids.decode(printed["organization"], "Organization")
    user_id = ids.decode(printed["user"], "User")
    org = await Organization.get(id=org_id)
    user = await User.get(id=user_id)
    assert org.name == "Globex"
    assert user.email == "boss@globex.test"
    assert user.role == Role.ADMIN
    assert user.organization_id == org.id

    # And the token authenticates as that admin
    viewer = await accounts.authenticate(printed["token"])
    assert viewer is not None
    assert viewer.user.id == user.id


async def test_token_create_prints_the_token_alone_and_revoke_disables_it(
    mailroom, migrated, orm
):
    # Given an organization with its admin
    created = mailroom("org", "create", "Initech", "--admin-email", "peter@init.test")
    assert created.returncode == 0, created.stderr
    admin_id = ids.decode(json.loads(created.stdout)["user"], "User")

    # When a token is created for the admin by email
    result = mailroom("token", "create", "--user", "peter@init.test", "--name", "ci")

    # Then the token is printed alone on one line and authenticates
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    token = result.stdout.strip()
    assert token and " " not in token
    viewer = await accounts.authenticate(token)
    assert viewer is not None and viewer.user.id == admin_id

    # When that token is revoked
    revoked = mailroom("token", "revoke", token)

    # Then it no longer authenticates, and the initial token still does
    assert revoked.returncode == 0, revoked.stderr
    assert await accounts.authenticate(token) is None
    assert await accounts.authenticate(json.loads(created.stdout)["token"]) is not None


async def test_user_create_prints_the_global_id_of_a_user_with_that_role(
    mailroom, migrated, orm
):
    # Given an organization
    created = mailroom("org", "create", "Umbrella", "--admin-email", "alice@umb.test")
    assert created.returncode == 0, created.stderr
    org_gid = json.loads(created.stdout)["organization"]

    # When an annotator is added to it
    result = mailroom(
        "user",
        "create",
        "bob@umb.test",
        "--organization",
        org_gid,
        "--role",
        "ANNOTATOR",
        "--full-name",
        "Bob",
    )

    # Then its global id is printed, alone
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    user_id = ids.decode(result.stdout.strip(), "User")
    assert isinstance(user_id, int)
    user = await User.get(id=user_id)
    assert user.email == "bob@umb.test"
    assert user.role == Role.ANNOTATOR
    assert user.full_name == "Bob"
    assert user.organization_id == ids.decode(org_gid, "Organization")

    # And a token can be made for the new user
    token = mailroom("token", "create", "--user", "bob@umb.test")
    assert token.returncode == 0, token.stderr
    viewer = await accounts.authenticate(token.stdout.strip())
    assert viewer is not None and viewer.role == Role.ANNOTATOR


async def test_duplicate_admin_email_fails_cleanly_and_creates_nothing(
    mailroom, migrated, orm
):
    # Given an organization whose admin is carol@
    first = mailroom("org", "create", "First", "--admin-email", "carol@dup.test")
    assert first.returncode == 0, first.stderr

    # When another organization is created with the same admin email
    result = mailroom("org", "create", "Second", "--admin-email", "carol@dup.test")

    # Then the command fails with a message and no traceback
    _assert_clean_failure(result, "carol@dup.test")

    # And no half-created organization is left behind
    assert await Organization.filter(name="Second").count() == 0


def test_token_create_for_an_unknown_user_fails_cleanly(mailroom, migrated):
    # When a token is asked for an email no user has
    result = mailroom("token", "create", "--user", "nobody@nowhere.test")

    # Then the command fails with a message and no traceback
    _assert_clean_failure(result, "nobody@nowhere.test")


def test_revoking_an_unknown_token_fails_cleanly(mailroom, migrated):
    # When a token that was never issued is revoked
    result = mailroom("token", "revoke", "not-a-real-token")

    # Then the command fails with a message and no traceback
    _assert_clean_failure(result)


def test_user_create_in_an_unknown_organization_fails_cleanly(mailroom, migrated):
    # When a user is added to an organization id that does not exist, or is not one
    unknown = mailroom(
        "user", "create", "x@y.test", "--organization", ids.encode("Organization", 999)
    )
    malformed = mailroom("user", "create", "x@y.test", "--organization", "garbage")

    # Then both fail with a message and no traceback
    _assert_clean_failure(unknown)
    _assert_clean_failure(malformed)


def test_user_create_with_an_invalid_email_fails_cleanly(mailroom, migrated):
    # Given an organization
    created = mailroom("org", "create", "Hooli", "--admin-email", "gavin@hooli.test")
    assert created.returncode == 0, created.stderr
    org_gid = json.loads(created.stdout)["organization"]

    # When a user is created with an address that is not one
    result = mailroom("user", "create", "not an address", "--organization", org_gid)

    # Then the command fails with a message and no traceback
    _assert_clean_failure(result)


def test_commands_on_an_unmigrated_database_fail_cleanly(mailroom):
    # Given a database file `mailroom migrate` was never run on
    # When an organization is created in it
    result = mailroom("org", "create", "Early", "--admin-email", "early@bird.test")

    # Then the command fails with a message, not a stack trace
    _assert_clean_failure(result)


def test_schema_graphql_matches_code():
    # Given the schema the code builds
    # Then the committed schema.graphql is the same, byte for byte
    committed = (ROOT / "schema.graphql").read_bytes()
    assert schema_sdl().encode() == committed, (
        "schema.graphql is stale: run `mailroom export-schema > schema.graphql`"
    )


def test_export_schema_command_prints_the_committed_schema(cli_env, tmp_path):
    # When the schema is exported by the console script
    proc = subprocess.run(
        [*_command(), "export-schema"],
        env=cli_env,
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )

    # Then its output is the committed schema.graphql, byte for byte
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == (ROOT / "schema.graphql").read_bytes()


def test_a_bad_database_url_stops_the_real_console_script_with_one_line(
    mailroom, cli_env
):
    # Given a DATABASE_URL with a password, of a scheme Mailroom does not support
    cli_env["DATABASE_URL"] = "mysql://app:hunter2@db.example/mail"

    # When the installed console script runs a command that needs the database
    result = mailroom("org", "list")

    # Then it exits 2 with one line naming the variable, its masked value and
    # what was expected, and no traceback
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: DATABASE_URL='mysql://app:***@db.example/mail' is not supported: "
        "expected postgres://USER:PASS@HOST:PORT/DB or sqlite://PATH"
    ]


# --- In-process: typer's CliRunner on this test's own database ------------------


@pytest.fixture
async def cli_db(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[str]:
    """This test's database, closed in this process so that each command opens it
    on its own event loop, as the real console script does."""
    await db.close_db()
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli.app, list(args))
    # Only clean exits: a command never leaks an exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def read(query: Callable[[], Any]) -> Any:
    """Run one ORM query against the test database, outside any command."""

    async def run() -> Any:
        await db.open_db()
        try:
            return await query()
        finally:
            await db.close_db()

    return asyncio.run(run())


def assert_fails(result: Result, *words: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    for word in words:
        assert word in result.stderr


def make_org(name: str = "Acme", send_limit: int | None = None) -> str:
    args = ["org", "create", name, "--admin-email", f"admin@{name.lower()}.test"]
    if send_limit is not None:
        args += ["--send-limit", str(send_limit)]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["organization"]


def make_queue(org_gid: str, name: str = "Invoices") -> str:
    result = invoke("queue", "create", name, "--organization", org_gid)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_version_prints_the_installed_version_without_reading_settings(
    settings,
):
    # Given settings that every other command would refuse
    settings(database_url="mysql://nope")

    # When the version is asked
    result = invoke("--version")

    # Then it is the installed distribution's version, alone
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"mailroom {metadata.version('mailroom')}\n"
    assert result.stdout == "mailroom 0.1.0\n"
    get_settings.cache_clear()


def test_queue_create_prints_the_global_id_of_a_queue_in_that_organization(cli_db):
    # Given an organization
    org_gid = make_org("Globex")

    # When a queue is created in it, once plainly and once with --json
    plain = invoke("queue", "create", "Invoices", "--organization", org_gid)
    as_json = invoke("queue", "create", " Claims ", "--organization", org_gid, "--json")

    # Then the first prints the global id alone, the second one JSON object
    assert plain.exit_code == 0, plain.stderr
    assert len(plain.stdout.splitlines()) == 1
    assert as_json.exit_code == 0, as_json.stderr
    assert len(as_json.stdout.splitlines()) == 1
    printed = json.loads(as_json.stdout)
    assert set(printed) == {"queue"}

    # And both are queues of that organization, named as given (trimmed)
    org_id = ids.decode(org_gid, "Organization")
    first = read(lambda: Queue.get(id=ids.decode(plain.stdout.strip(), "Queue")))
    second = read(lambda: Queue.get(id=ids.decode(printed["queue"], "Queue")))
    assert (first.organization_id, first.name) == (org_id, "Invoices")
    assert (second.organization_id, second.name) == (org_id, "Claims")


def test_queue_create_in_an_unknown_or_malformed_organization_fails_cleanly(cli_db):
    # When a queue is created for an organization that does not exist, for an id
    # of another type and for an id that is not one
    unknown = invoke(
        "queue", "create", "Q", "--organization", ids.encode("Organization", 999)
    )
    other_type = invoke("queue", "create", "Q", "--organization", ids.encode("User", 1))
    malformed = invoke("queue", "create", "Q", "--organization", "garbage")

    # Then each fails with one line naming the id, and creates nothing
    assert_fails(unknown, "No Organization", ids.encode("Organization", 999))
    assert_fails(other_type, "No Organization")
    assert_fails(malformed, "'garbage'")
    assert read(lambda: Queue.all().count()) == 0


def test_inbox_create_prints_its_id_and_stores_an_inbox_accepting_every_type(cli_db):
    # Given a queue
    queue_gid = make_queue(make_org())

    # When an inbox is created with neither a name nor accepted types
    result = invoke("inbox", "create", "Scans@Acme.test", "--queue", queue_gid)

    # Then its global id is printed alone
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    inbox_id = ids.decode(result.stdout.strip(), "Inbox")

    # And it feeds that queue at the normalized address, accepting every type
    inbox = read(lambda: Inbox.get(id=inbox_id))
    assert inbox.queue_id == ids.decode(queue_gid, "Queue")
    assert inbox.email == "scans@acme.test"
    assert inbox.name == ""
    assert inbox.accepted_mime_types == []


def test_inbox_create_json_with_a_name_and_repeated_accepted_types(cli_db):
    # Given a queue of an organization
    org_gid = make_org()
    queue_gid = make_queue(org_gid)

    # When an inbox is created with a name and three --accept types, as JSON
    result = invoke(
        "inbox",
        "create",
        "Invoices@Acme.test",
        "--queue",
        queue_gid,
        "--name",
        "Invoices",
        "--accept",
        "application/pdf",
        "--accept",
        "IMAGE/*",
        "--accept",
        "application/pdf",
        "--json",
    )

    # Then one JSON object gives the inbox id, the stored address and the queue
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    printed = json.loads(result.stdout)
    assert set(printed) == {"inbox", "address", "queue"}
    assert printed["address"] == "invoices@acme.test"
    assert printed["queue"] == queue_gid

    # And the types are stored as the createInbox mutation stores them:
    # lower-cased, without duplicates, in the inbox's organization
    inbox = read(lambda: Inbox.get(id=ids.decode(printed["inbox"], "Inbox")))
    assert inbox.accepted_mime_types == ["application/pdf", "image/*"]
    assert inbox.name == "Invoices"
    assert inbox.organization_id == ids.decode(org_gid, "Organization")


def test_inbox_create_errors_fail_cleanly_and_create_nothing(cli_db):
    # Given a queue with an inbox at taken@acme.test
    queue_gid = make_queue(make_org())
    assert (
        invoke("inbox", "create", "taken@acme.test", "--queue", queue_gid).exit_code
        == 0
    )

    # When inboxes are created with a taken address, a bad MIME type, a bad
    # address, an unknown queue and a malformed queue id
    taken = invoke("inbox", "create", "TAKEN@acme.test", "--queue", queue_gid)
    bad_type = invoke(
        "inbox", "create", "x@acme.test", "--queue", queue_gid, "--accept", "pdf"
    )
    bad_address = invoke("inbox", "create", "not an address", "--queue", queue_gid)
    unknown_queue = invoke(
        "inbox", "create", "y@acme.test", "--queue", ids.encode("Queue", 999)
    )
    malformed = invoke("inbox", "create", "z@acme.test", "--queue", "garbage")

    # Then each fails with one line saying why, and only the first inbox exists
    assert_fails(taken, "taken@acme.test", "taken")
    assert_fails(bad_type, "Not a MIME type", "'pdf'")
    assert_fails(bad_address)
    assert_fails(unknown_queue, "No Queue")
    assert_fails(malformed, "No Queue", "'garbage'")
    assert read(lambda: Inbox.all().count()) == 1


def test_org_list_prints_one_tab_separated_line_per_organization(cli_db):
    # Given no organization yet
    # Then both forms list none
    empty = invoke("org", "list")
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert json.loads(invoke("org", "list", "--json").stdout) == []

    # Given two organizations, one with a send limit
    first = make_org("Initech")
    second = make_org("Hooli", send_limit=25)

    # When they are listed plainly and as JSON
    plain = invoke("org", "list")
    as_json = invoke("org", "list", "--json")

    # Then each has one ID<TAB>NAME line, in creation order
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout == f"{first}\tInitech\n{second}\tHooli\n"

    # And the JSON is one list with the send limits
    assert as_json.exit_code == 0, as_json.stderr
    assert len(as_json.stdout.splitlines()) == 1
    assert json.loads(as_json.stdout) == [
        {"id": first, "name": "Initech", "sendLimit": None},
        {"id": second, "name": "Hooli", "sendLimit": 25},
    ]
