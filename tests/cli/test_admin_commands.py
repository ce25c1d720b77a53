"""The admin commands in process (typer's CliRunner) on this test's own database:
version, queues, inboxes and organizations."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app import cli, db
from app.core import ids
from app.inboxes.models import Inbox, Queue
from app.settings import get_settings

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


def org_create(name: str = "Acme", send_limit: int | None = None) -> str:
    args = ["org", "create", name, "--admin-email", f"admin@{name.lower()}.test"]
    if send_limit is not None:
        args += ["--send-limit", str(send_limit)]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["organization"]


def queue_create(org_gid: str, name: str = "Invoices") -> str:
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
    org_gid = org_create("Globex")

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
    queue_gid = queue_create(org_create())

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
    org_gid = org_create()
    queue_gid = queue_create(org_gid)

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
    queue_gid = queue_create(org_create())
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
    first = org_create("Initech")
    second = org_create("Hooli", send_limit=25)

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


def test_org_create_trial_gets_the_trial_send_limit_unless_one_is_given(cli_db):
    # When a trial organization is created, and a trial with its own limit
    trial = invoke("org", "create", "Trial", "--admin-email", "a@trial.test", "--trial")
    own = invoke(
        "org",
        "create",
        "Own",
        "--admin-email",
        "a@own.test",
        "--trial",
        "--send-limit",
        "3",
    )
    assert (trial.exit_code, own.exit_code) == (0, 0), (trial.stderr, own.stderr)
    # Then the first has the trial limit (10), the second its own; a plain one none
    plain = org_create("Plain")
    listed = json.loads(invoke("org", "list", "--json").stdout)
    assert [(o["name"], o["sendLimit"]) for o in listed] == [
        ("Trial", 10),
        ("Own", 3),
        ("Plain", None),
    ]
    assert listed[2]["id"] == plain


def test_org_create_refuses_a_negative_send_limit_and_creates_nothing(cli_db):
    result = invoke(
        "org", "create", "Bad", "--admin-email", "a@bad.test", "--send-limit", "-1"
    )
    assert_fails(result, "sendLimit")
    assert json.loads(invoke("org", "list", "--json").stdout) == []
