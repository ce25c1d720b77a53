"""`mailroom import`: .eml and mbox files through the import job."""

import mailbox
from email.message import EmailMessage
from pathlib import Path

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

    assert summary == {"SUCCEEDED": 5}
    subjects = sorted(await Email.all().values_list("subject", flat=True))
    assert subjects == ["Bulk 1", "Bulk 2", "Bulk 3", "Bulk 4"]
    assert await Task.filter(creator_id=None).count() == 5
