"""Concurrent imports against real processes: `serve` and `worker` sharing one
database (the SQLite file under VAR_DIR on the embedded leg, PostgreSQL otherwise).
"""

import concurrent.futures
import email.message
import email.utils
import uuid

import pytest

from .conftest import INBOX
from .harness import EXPECTED_EXIT_CODES, INVOICE_PDF, PG_URL, Api, Stack, Tenant

CONCURRENT_IMPORTS = 20
SAME_MESSAGE_IMPORTS = 5

EMAILS = """
query Emails($filter: EmailFilter) {
  emails(filter: $filter, first: 100) {
    totalCount
    nodes { id subject documents { sha256 } }
  }
}
"""


def supplier_invoice(n: int, run: str) -> bytes:
    """A distinct invoice message (own Message-ID, subject and sender) with a PDF."""
    message = email.message.EmailMessage()
    message["From"] = f"Supplier {n} <billing@supplier-{n}.example>"
    message["To"] = INBOX
    message["Subject"] = f"Invoice E2E-{run}-{n:02d}"
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = email.utils.make_msgid(
        idstring=f"{run}.{n}", domain=f"supplier-{n}.example"
    )
    message.set_content(f"Invoice {n} of run {run} is attached.\n")
    message.add_attachment(
        INVOICE_PDF, maintype="application", subtype="pdf", filename=f"E2E-{n:02d}.pdf"
    )
    return message.as_bytes()


@pytest.fixture(scope="module")
def api(stack: Stack, tenant: Tenant) -> Api:
    """serve and worker running together; a client with the admin token."""
    stack.start_serve()
    stack.start_worker()
    return stack.api(tenant.token)


def import_all(api: Api, messages: list[bytes]) -> list[dict]:
    """importEmail for every message at once, half by upload, half as base64."""

    def one(index: int) -> dict:
        raw = messages[index]
        if index % 2:
            return api.import_upload(raw, INBOX, f"message-{index}.eml")
        return api.import_base64(raw, INBOX)

    with concurrent.futures.ThreadPoolExecutor(len(messages)) as pool:
        return list(pool.map(one, range(len(messages))))


def test_twenty_concurrent_imports_all_succeed(api: Api, stack: Stack):
    # Given serve and worker on one database: on the embedded leg, one SQLite file
    if not PG_URL:
        assert (stack.var_dir / "mailroom.sqlite3").is_file()

    # And 20 distinct messages, each with a PDF
    run = uuid.uuid4().hex[:8]
    messages = [supplier_invoice(n, run) for n in range(CONCURRENT_IMPORTS)]

    # When they are imported all at once
    results = import_all(api, messages)

    # Then every call answers a task
    assert [r["__typename"] for r in results] == ["Task"] * CONCURRENT_IMPORTS
    assert len({r["id"] for r in results}) == CONCURRENT_IMPORTS

    # And every task succeeds, none fails
    tasks = api.wait_tasks([r["id"] for r in results], timeout=90)
    failures = [t for t in tasks if t["status"] != "SUCCEEDED"]
    assert failures == []

    # And there are 20 emails, each with its document
    listed = api.data(EMAILS, {"filter": {"subject": f"E2E-{run}-"}})["emails"]
    assert listed["totalCount"] == CONCURRENT_IMPORTS
    assert {t["email"]["id"] for t in tasks} == {e["id"] for e in listed["nodes"]}
    assert all(len(e["documents"]) == 1 for e in listed["nodes"])


def test_five_concurrent_imports_of_one_message_make_one_email(api: Api):
    # Given one message
    run = uuid.uuid4().hex[:8]
    message = supplier_invoice(99, run)

    # When it is imported five times at once
    results = import_all(api, [message] * SAME_MESSAGE_IMPORTS)
    assert [r["__typename"] for r in results] == ["Task"] * SAME_MESSAGE_IMPORTS

    # Then every task succeeds, resolving to the same email
    tasks = api.wait_tasks([r["id"] for r in results], timeout=60)
    assert [t["status"] for t in tasks] == ["SUCCEEDED"] * SAME_MESSAGE_IMPORTS
    assert len({t["email"]["id"] for t in tasks}) == 1

    # And exactly one email exists for it
    listed = api.data(EMAILS, {"filter": {"subject": f"E2E-{run}-"}})["emails"]
    assert listed["totalCount"] == 1
    assert listed["nodes"][0]["id"] == tasks[0]["email"]["id"]


def test_no_process_failed_and_each_stops_cleanly_on_sigterm(api: Api, stack: Stack):
    # Given the concurrent imports above
    # Then no response was a server error and no process logged one
    assert stack.failed_exchanges() == []
    assert stack.server_errors() == {}

    # And serve and worker stop on SIGTERM (serve re-raises it: EXPECTED_EXIT_CODES)
    expected = {k: EXPECTED_EXIT_CODES[k] for k in ("serve", "worker")}
    assert stack.stop_services() == expected
