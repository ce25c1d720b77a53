"""An imported email's date, receivedAt, size and headers, through importEmail and a
real worker: read from the message once, at import, and shown from the row."""

from datetime import UTC, datetime

from app.tasks.models import Task
from tests.helpers import pk_of
from tests.intake.importing import intake_inbox, queued_task, task_of

FIELDS = """
query($id: ID!) {
  task(id: $id) {
    status
    email { date receivedAt size parseDefects headers { name value } }
  }
}"""


def message(*headers: str, body: str = "Hello.") -> bytes:
    """A raw message of exactly these header lines (CRLF), a blank line, `body`."""
    return ("\r\n".join([*headers, "", body])).encode("utf-8", "surrogateescape")


async def fields_of(admin, run_jobs, raw: bytes) -> tuple[dict, str]:
    await intake_inbox(admin.organization_id)
    task_id = await queued_task(admin, raw)
    await run_jobs()
    task = (await admin.data(FIELDS, {"id": task_id}))["task"]
    assert task["status"] == "SUCCEEDED", await task_of(admin, task_id)
    return task["email"], task_id


async def test_an_imported_email_shows_its_date_size_and_headers(admin, run_jobs):
    # given a message with an encoded sender name, a folded subject, a Date in
    # +02:00 and an undeclared 8-bit header
    raw = message(
        "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jorg@vendor.test>",
        "To: inbox@acme.test",
        "Subject: Invoice 7",
        " for March",
        "Date: Tue, 05 Mar 2024 14:30:00 +0200",
        "Message-ID: <fields-1@vendor.test>",
        "X-Note: caf\udcc3\udca9",
    )
    # when it is imported
    email, task_id = await fields_of(admin, run_jobs, raw)
    # then date is the Date header in UTC, size the raw bytes
    assert email["date"] == "2024-03-05T12:30:00+00:00"
    assert email["size"] == len(raw)
    # and headers are every header, in order, decoded and unfolded
    assert email["headers"] == [
        {"name": "From", "value": "Jörg Müller <jorg@vendor.test>"},
        {"name": "To", "value": "inbox@acme.test"},
        {"name": "Subject", "value": "Invoice 7 for March"},
        {"name": "Date", "value": "Tue, 05 Mar 2024 14:30:00 +0200"},
        {"name": "Message-ID", "value": "<fields-1@vendor.test>"},
        {"name": "X-Note", "value": "café"},
    ]
    # and receivedAt is when Mailroom accepted it (the importEmail call)
    accepted = (await Task.get(id=pk_of(task_id))).created_at
    assert datetime.fromisoformat(email["receivedAt"]) == accepted.astimezone(UTC)


async def test_a_date_without_a_zone_is_read_as_utc(admin, run_jobs):
    raw = message(
        "From: a@vendor.test",
        "Date: Tue, 05 Mar 2024 14:30:00 -0000",
        "Message-ID: <fields-2@vendor.test>",
    )
    email, _ = await fields_of(admin, run_jobs, raw)
    assert email["date"] == "2024-03-05T14:30:00+00:00"


async def test_a_missing_date_is_null_with_a_parse_defect(admin, run_jobs):
    raw = message("From: a@vendor.test", "Message-ID: <fields-3@vendor.test>")
    email, _ = await fields_of(admin, run_jobs, raw)
    assert email["date"] is None
    assert "message: no Date" in email["parseDefects"]
    assert email["receivedAt"] is not None


async def test_an_unreadable_date_is_null_with_a_parse_defect(admin, run_jobs):
    raw = message(
        "From: a@vendor.test",
        "Date: the day after tomorrow",
        "Message-ID: <fields-4@vendor.test>",
    )
    email, _ = await fields_of(admin, run_jobs, raw)
    assert email["date"] is None
    assert [d for d in email["parseDefects"] if d.startswith("header Date")] == [
        "header Date: unreadable date 'the day after tomorrow'"
    ]
    # the header itself is still listed, as it was
    assert {"name": "Date", "value": "the day after tomorrow"} in email["headers"]


async def test_headers_past_the_cap_are_left_out_with_a_parse_defect(admin, run_jobs):
    # given a message whose 100 trace headers of 500 bytes pass 32 kB
    trace = [f"X-Trace-{i:03}: {'x' * 500}" for i in range(100)]
    raw = message("From: a@vendor.test", "Message-ID: <fields-5@vendor.test>", *trace)
    email, _ = await fields_of(admin, run_jobs, raw)
    # then the first ones are kept whole, in order, within the cap
    names = [h["name"] for h in email["headers"]]
    assert names[:3] == ["From", "Message-ID", "X-Trace-000"]
    kept = sum(len(h["name"]) + len(h["value"]) for h in email["headers"])
    assert 31 * 1024 < kept <= 32 * 1024
    assert names[-1] == f"X-Trace-{len(names) - 3:03}"
    # and the defect says the rest is only in the raw message
    assert any("headers over 32768 bytes" in d for d in email["parseDefects"])
    assert email["size"] == len(raw)
