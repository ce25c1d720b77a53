"""The installed `mailroom` console script, as its own process: migrate, the
organization/user/token commands, clean failures, and the committed schema."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app import db
from app.accounts import service as accounts
from app.accounts.models import Organization, Role, User
from app.core import ids
from app.graphql.schema import schema_sdl

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


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated by the console script's `mailroom migrate`, once per
    module: the commands under test each run on a copy."""
    root = tmp_path_factory.mktemp("migrated")
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env["VAR_DIR"] = str(root / "var")
    env["DATABASE_URL"] = f"sqlite://{root / 'cli.sqlite3'}"
    result = subprocess.run(
        [*_command(), "migrate"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return root / "cli.sqlite3"


@pytest.fixture
def migrated(cli_env: dict[str, str], migrated_template: Path) -> None:
    """This test's database, as `mailroom migrate` leaves it."""
    shutil.copyfile(
        migrated_template, cli_env["DATABASE_URL"].removeprefix("sqlite://")
    )


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
