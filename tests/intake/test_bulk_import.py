"""`mailroom import`: .eml and mbox files through the import job."""

import mailbox
from email.message import EmailMessage
from pathlib import Path

from tortoise import connections

from app.intake.bulk import bulk_import
from app.mail.models import Email
from app.tasks.models import Task
from tests.factories import make_inbox, make_queue


def _eml(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"sender{n}@supplier.test"
    msg["To"] = "bulk@acme.test"
    msg["Subject"] = f"Bulk {n}"
    msg["Message-ID"] = f"<bulk{n}@supplier.test>"
    msg.set_content(f"message {n}")
    return bytes(msg)


async def test_eml_and_mbox_files_are_imported_with_a_summary(
    admin, redis, tmp_path: Path
):
    await make_inbox(
        admin.organization_id,
        "bulk@acme.test",
        queue=await make_queue(admin.organization_id, "Bulk"),
    )
    single = tmp_path / "one.eml"
    single.write_bytes(_eml(1))
    box_path = tmp_path / "many.mbox"
    box = mailbox.mbox(box_path)
    for n in (2, 3, 4):
        box.add(_eml(n))
    box.add(_eml(2))  # a duplicate resolves to the existing email
    box.close()

    summary = await bulk_import(redis, [single, box_path], "bulk@acme.test")

    # (the duplicate's task succeeded too, with the existing email: reported apart)
    assert summary == {"SUCCEEDED": 4, "DUPLICATE": 1}
    subjects = sorted(await Email.all().values_list("subject", flat=True))
    assert subjects == ["Bulk 1", "Bulk 2", "Bulk 3", "Bulk 4"]
    assert await Task.filter(creator_id=None).count() == 5
    # and the planner knows how many emails there are now (ANALYZE ran)
    assert await _planner_rows("email") == 4


async def _planner_rows(table: str) -> int:
    """The row count in the planner's statistics (none yet: -1)."""
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        rows = await client.execute_query_dict(
            "SELECT reltuples FROM pg_class WHERE relname = $1", [table]
        )
        return int(rows[0]["reltuples"])
    rows = await client.execute_query_dict(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = ?", [table]
    )
    return max((int(r["stat"].split()[0]) for r in rows), default=-1)


async def test_unreadable_files_and_non_messages_are_failed_not_succeeded(
    admin, redis, tmp_path: Path
):
    # given an inbox, a good message, a PDF, a text file and a path that cannot be read
    await make_inbox(
        admin.organization_id,
        "bulk@acme.test",
        queue=await make_queue(admin.organization_id, "Bulk"),
    )
    good = tmp_path / "good.eml"
    good.write_bytes(_eml(1))
    pdf = tmp_path / "scan.eml"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n")
    text = tmp_path / "notes.txt"
    text.write_bytes(b"just some words\nno headers here\n")
    unreadable = tmp_path / "a-directory.eml"
    unreadable.mkdir()

    # when they are imported in bulk
    summary = await bulk_import(
        redis, [good, pdf, unreadable, text, good], "bulk@acme.test"
    )

    # then the good one succeeded once (and once more as a duplicate), the rest failed
    assert summary == {"SUCCEEDED": 1, "DUPLICATE": 1, "FAILED": 3}
    assert await Email.all().values_list("subject", flat=True) == ["Bulk 1"]
    failed = await Task.filter(error_code__not_isnull=True).values_list(
        "error_message", flat=True
    )
    assert len(failed) == 2
    assert all("not an email message" in m for m in failed)
