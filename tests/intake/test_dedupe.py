"""The same message imported twice is one email; idempotency keys return the same
task."""

from app.documents.models import Annotation, Document
from app.mail.models import Email
from tests import mailcorpus as mc
from tests.intake.importing import (
    imported,
    imported_email,
    intake_inbox,
    queued_task,
    task_of,
    task_rows,
)

# ---------------------------------------------------------------------------
# Dedupe and idempotency


async def test_the_same_message_twice_is_one_email(admin, run_jobs):
    # given an inbox and a message with an attachment
    await intake_inbox(admin.organization_id)
    raw = mc.simple(
        message_id="<dup@vendor.test>", attachments=[("d.pdf", mc.pdf("dup"))]
    )
    # when it is imported twice, one after the other
    first = await imported(admin, run_jobs, raw)
    second = await imported(admin, run_jobs, raw)
    # then both tasks succeed and point at the same email, which exists once
    assert first["status"] == second["status"] == "SUCCEEDED"
    assert first["id"] != second["id"]
    assert first["email"]["id"] == second["email"]["id"]
    assert await Email.filter(organization_id=admin.organization_id).count() == 1
    assert await Document.filter(organization_id=admin.organization_id).count() == 1
    assert await Annotation.filter(organization_id=admin.organization_id).count() == 1


async def test_the_same_message_twice_in_one_worker_run_is_one_email(admin, run_jobs):
    # given the same message queued twice before any worker runs
    await intake_inbox(admin.organization_id)
    raw = mc.simple(
        message_id="<race@vendor.test>", attachments=[("r.pdf", mc.pdf("race"))]
    )
    task_ids = [await queued_task(admin, raw), await queued_task(admin, raw)]
    # when the worker runs them (concurrently)
    await run_jobs()
    # then both succeed with the one email
    tasks = [await task_of(admin, task_id) for task_id in task_ids]
    assert [t["status"] for t in tasks] == ["SUCCEEDED", "SUCCEEDED"], tasks
    assert tasks[0]["email"]["id"] == tasks[1]["email"]["id"]
    assert await Email.filter(organization_id=admin.organization_id).count() == 1
    assert await Document.filter(organization_id=admin.organization_id).count() == 1


async def test_a_message_without_message_id_twice_is_one_email(admin, run_jobs):
    # given a message with no Message-ID
    await intake_inbox(admin.organization_id)
    raw = mc.no_message_id_no_date()
    # when the same bytes are imported twice
    first = await imported_email(admin, run_jobs, raw)
    second = await imported_email(admin, run_jobs, raw)
    # then it is one email (deduplicated by the raw bytes' sha256)
    assert first["id"] == second["id"]
    assert await Email.filter(organization_id=admin.organization_id).count() == 1
    # and different bytes without a Message-ID are a different email
    other = await imported_email(
        admin, run_jobs, mc.simple(message_id=None, text="other")
    )
    assert other["id"] != first["id"]


async def test_the_same_message_id_in_two_inboxes_is_two_emails(admin, run_jobs):
    # given two inboxes
    await intake_inbox(admin.organization_id)
    await intake_inbox(admin.organization_id, "second@acme.test")
    raw = mc.simple(message_id="<both@vendor.test>")
    # when the message arrives at both
    first = await imported_email(admin, run_jobs, raw)
    second = await imported_email(admin, run_jobs, raw, recipient="second@acme.test")
    # then each inbox has its own email
    assert first["id"] != second["id"]


async def test_an_idempotency_key_returns_the_same_task(admin, make_org, run_jobs):
    # given an import with an idempotency key
    await intake_inbox(admin.organization_id)
    first = await queued_task(
        admin, mc.simple(message_id="<k1@x.test>"), idempotencyKey="key-1"
    )
    # when the request is repeated (even with other bytes)
    again = await queued_task(
        admin, mc.simple(message_id="<k2@x.test>"), idempotencyKey="key-1"
    )
    # then the same task comes back and only one exists
    assert again == first
    assert await task_rows(admin.organization_id) == 1
    await run_jobs()
    assert (await task_of(admin, first))["email"]["messageId"] == "<k1@x.test>"
    # and another key is another task
    other = await queued_task(
        admin, mc.simple(message_id="<k3@x.test>"), idempotencyKey="key-2"
    )
    assert other != first
    # and the key is per organization
    org = await make_org("Other")
    await intake_inbox(org.organization_id, "other@other.test")
    theirs = await queued_task(
        org,
        mc.simple(message_id="<k1@x.test>"),
        recipient="other@other.test",
        idempotencyKey="key-1",
    )
    assert theirs != first
