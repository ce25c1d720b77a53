"""What the import sends and refuses: automatic rejections (and replies to them),
and senders the inbox does not allow."""

import base64

from app.documents.models import Document
from app.intake.jobs import import_email_job
from app.mail.models import Email
from app.tasks.models import Task, TaskKind
from app.tasks.queue import enqueue_task
from tests import mailcorpus as mc
from tests.helpers import gid, pk_of
from tests.intake.importing import (
    imported,
    imported_email,
    intake_inbox,
    queued_task,
    task_of,
)
from tests.threads.threading_api import ALICE, arrive, thread, thread_emails

# ---------------------------------------------------------------------------
# What the import sends and refuses


async def test_reject_without_documents_queues_an_automatic_rejection(
    admin, run_jobs, redis, smtp_sink
):
    # given an inbox that rejects mail without documents
    await intake_inbox(admin.organization_id, reject_without_documents=True)
    raw = mc.simple(
        sender=ALICE, subject="Where is my refund?", message_id="<rej@vendor.test>"
    )
    # when a message with no attachment is imported (the import job alone, so the
    # reply's own send job has not run yet)
    task_id = await queued_task(admin, raw)
    assert await import_email_job({}, pk_of(task_id)) == "succeeded"
    incoming = (await task_of(admin, task_id))["email"]
    # then an OUTGOING AUTOMATIC_REJECTION reply to the sender is QUEUED in its thread
    data = await thread(admin, incoming["emailThread"]["id"])
    emails = thread_emails(data)
    assert data["emails"]["totalCount"] == 2
    [reply] = [e for e in emails if e["type"] == "OUTGOING"]
    assert reply["labels"] == ["AUTOMATIC_REJECTION"]
    assert reply["deliveryStatus"] == "QUEUED"
    assert reply["to"] == [{"email": "alice@vendor.test"}]
    assert reply["from"] == {"email": mc.INBOX}
    assert reply["parent"] == {"id": incoming["id"]}
    assert reply["inReplyTo"] == "<rej@vendor.test>"
    assert reply["subject"] == "Re: Where is my refund?"
    assert "AUTOMATIC_REJECTION" in data["labels"]
    # and it goes out through the send pipeline (its SEND_EMAIL task)
    [send] = await Task.filter(
        organization_id=admin.organization_id, kind=TaskKind.SEND_EMAIL
    )
    assert send.email_id == int(pk_of(reply["id"]))
    await enqueue_task(redis, send)
    await run_jobs()
    sent = thread_emails(await thread(admin, incoming["emailThread"]["id"]))
    assert [e["deliveryStatus"] for e in sent if e["type"] == "OUTGOING"] == ["SENT"]
    [delivered] = smtp_sink.received
    assert delivered.recipients == ["alice@vendor.test"]
    assert b"In-Reply-To: <rej@vendor.test>" in delivered.data
    # and importing the same message again sends nothing more
    await imported_email(admin, run_jobs, raw)
    assert (await thread(admin, incoming["emailThread"]["id"]))["emails"][
        "totalCount"
    ] == 2
    assert len(smtp_sink.received) == 1


async def test_a_reply_to_the_automatic_rejection_threads_under_it(admin, run_jobs):
    # given a rejected message and its automatic rejection
    await intake_inbox(admin.organization_id, reject_without_documents=True)
    incoming = await arrive(
        admin, run_jobs, sender=ALICE, subject="Docs", message_id="<nodocs@vendor.test>"
    )
    [rejection] = await Email.filter(parent_id=int(pk_of(incoming["id"])))
    # when the sender answers it, now with the document
    answer = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Re: Docs",
        message_id="<withdocs@vendor.test>",
        in_reply_to=rejection.message_id,
        references=f"<nodocs@vendor.test> {rejection.message_id}",
        attachments=[("docs.pdf", mc.pdf("answer"))],
    )
    # then the answer is a child of the rejection, in the same thread
    assert answer["threadMatch"]["method"] == "IN_REPLY_TO"
    assert answer["parent"] == {"id": gid("Email", rejection.id)}
    assert answer["emailThread"] == incoming["emailThread"]
    assert len(answer["documents"]) == 1


async def test_reject_without_documents_counts_filtered_attachments_as_nothing(
    admin, run_jobs
):
    # given a rejecting inbox that ignores images under 1,000 bytes
    await intake_inbox(
        admin.organization_id, reject_without_documents=True, min_image_bytes=1000
    )
    raw = (
        b"From: alice@vendor.test\r\nTo: " + mc.INBOX.encode() + b"\r\n"
        b"Subject: logo only\r\nMessage-ID: <logo-only@vendor.test>\r\n"
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="dot.png"\r\n\r\n'
        + base64.encodebytes(mc.SMALL_PNG)
    )
    # when only a small image arrives
    incoming = await imported_email(admin, run_jobs, raw)
    # then it is rejected too
    assert incoming["documents"] == [] and incoming["filteredOutDocumentCount"] == 1
    emails = thread_emails(await thread(admin, incoming["emailThread"]["id"]))
    assert [e["labels"] for e in emails if e["type"] == "OUTGOING"] == [
        ["AUTOMATIC_REJECTION"]
    ]


async def test_a_message_with_a_document_is_not_rejected(admin, run_jobs):
    await intake_inbox(admin.organization_id, reject_without_documents=True)
    incoming = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        message_id="<ok@vendor.test>",
        attachments=[("x.pdf", mc.pdf("not rejected"))],
    )
    data = await thread(admin, incoming["emailThread"]["id"])
    assert [e["type"] for e in thread_emails(data)] == ["INCOMING"]


async def test_automatic_replies_are_not_answered_automatically(admin, run_jobs):
    # given a rejecting inbox, and an out-of-office reply (Auto-Submitted, RFC 3834)
    await intake_inbox(admin.organization_id, reject_without_documents=True)
    raw = (
        b"From: Alice <alice@vendor.test>\r\nTo: " + mc.INBOX.encode() + b"\r\n"
        b"Subject: Automatic reply: Out of office\r\nMessage-ID: <ooo@vendor.test>\r\n"
        b"Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
        b"Precedence: auto_reply\r\n\r\nI am away until Monday.\r\n"
    )
    # when it arrives
    incoming = await imported_email(admin, run_jobs, raw)
    # then no automatic rejection goes back (that is how mail loops start)
    data = await thread(admin, incoming["emailThread"]["id"])
    assert [e["type"] for e in thread_emails(data)] == ["INCOMING"]


async def test_a_sender_the_inbox_does_not_allow_fails_the_task(admin, run_jobs):
    # given an inbox that accepts mail from vendor.test only
    await intake_inbox(admin.organization_id, allowed_sender_patterns=["*@vendor.test"])
    # when a stranger's message is imported
    task = await imported(
        admin,
        run_jobs,
        mc.simple(
            sender="Mallory <mallory@evil.test>",
            message_id="<m@evil.test>",
            attachments=[("m.pdf", mc.pdf("mallory"))],
        ),
    )
    # then the task FAILED with ACCESS_FORBIDDEN naming the sender; nothing is stored
    assert task["status"] == "FAILED"
    assert task["error"]["code"] == "ACCESS_FORBIDDEN"
    assert "mallory@evil.test" in task["error"]["message"]
    assert task["email"] is None
    assert await Email.filter(organization_id=admin.organization_id).count() == 0
    assert await Document.filter(organization_id=admin.organization_id).count() == 0
    # and an allowed sender (any case) is imported
    allowed = await imported_email(
        admin,
        run_jobs,
        mc.simple(
            sender="Alice <Alice@VENDOR.test>", message_id="<allowed@vendor.test>"
        ),
    )
    assert allowed["from"]["email"] == "alice@vendor.test"
