"""Threading, dedupe, re-runs and the import's follow-ups (automatic rejection,
sender rules), through importEmail and a real arq worker."""

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from app.documents.models import Annotation, Document
from app.intake.jobs import import_email_job
from app.mail.models import Email, EmailReference, EmailThread
from app.settings import get_settings
from app.tasks.models import Task, TaskKind, TaskStatus
from app.tasks.queue import enqueue_task
from tests import mailcorpus as mc
from tests.test_import_pipeline import (
    gid,
    imported,
    imported_email,
    make_inbox,
    pk_of,
    queued_task,
    task_of,
    task_rows,
)

ALICE = "Alice <alice@vendor.test>"
BOB = "Bob <bob@other-vendor.test>"
CAROL = "Carol <carol@third.test>"

THREAD = """
query Thread($id: ID!) {
  emailThread(id: $id) {
    id subject hasReplies
    rootEmail { id }
    labels
    emails(first: 50) {
      totalCount
      edges { node {
        id subject type labels deliveryStatus messageId inReplyTo
        from { email } to { email }
        parent { id }
        threadMatch { method matchedEmail { id } }
      } }
    }
  }
}"""

EMAIL = """
query Email($id: ID!) {
  email(id: $id) {
    id subject parent { id } emailThread { id }
    threadMatch { method matchedEmail { id } }
  }
}"""


async def thread(actor: Any, thread_id: str) -> dict[str, Any] | None:
    return (await actor.data(THREAD, {"id": thread_id}))["emailThread"]


async def email(actor: Any, email_id: str) -> dict[str, Any]:
    return (await actor.data(EMAIL, {"id": email_id}))["email"]


def thread_emails(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["emails"]["edges"]]


async def arrive(actor: Any, run_jobs: Any, **message: Any) -> dict[str, Any]:
    """One plain message imported and processed; its Email as the task shows it."""
    return await imported_email(actor, run_jobs, mc.simple(**message))


# ---------------------------------------------------------------------------
# Headers


async def test_reply_joins_its_parent_by_in_reply_to(admin, run_jobs):
    # given an inbox and a first message
    await make_inbox(admin.organization_id)
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 7",
        message_id="<a1@vendor.test>",
    )
    assert first["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    # when a reply with In-Reply-To (and a different subject) arrives
    reply = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="about that",
        message_id="<a2@vendor.test>",
        in_reply_to="<a1@vendor.test>",
        references="<a1@vendor.test>",
    )
    # then it joins the first message's thread, with the first as its parent
    assert reply["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": first["id"]},
    }
    assert reply["parent"] == {"id": first["id"]}
    assert reply["emailThread"] == first["emailThread"]
    data = await thread(admin, first["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 2
    assert data["hasReplies"] is True
    assert data["rootEmail"] == {"id": first["id"]}


async def test_references_alone_thread_to_the_newest_referenced_email(admin, run_jobs):
    # given a message and a reply to it
    await make_inbox(admin.organization_id)
    first = await arrive(
        admin, run_jobs, sender=ALICE, subject="Order", message_id="<r1@vendor.test>"
    )
    second = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Order",
        message_id="<r2@vendor.test>",
        in_reply_to="<r1@vendor.test>",
    )
    # when a message arrives with References only (one unknown id among them)
    third = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Something else",
        message_id="<r3@vendor.test>",
        references="<unknown@x.test> <r1@vendor.test> <r2@vendor.test>",
    )
    # then it threads by REFERENCES under the newest email it references
    assert third["threadMatch"] == {
        "method": "REFERENCES",
        "matchedEmail": {"id": second["id"]},
    }
    assert third["parent"] == {"id": second["id"]}
    assert third["emailThread"] == first["emailThread"]
    assert (await thread(admin, first["emailThread"]["id"]))["emails"][
        "totalCount"
    ] == 3


async def test_a_child_that_arrives_first_is_relinked_when_its_parent_arrives(
    admin, run_jobs
):
    # given a reply that arrived before the message it answers (different senders and
    # subjects, so nothing but the headers connects them)
    await make_inbox(admin.organization_id)
    child = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="Re: Quote 5",
        message_id="<c1@third.test>",
        in_reply_to="<p1@other-vendor.test>",
        references="<p1@other-vendor.test>",
    )
    assert child["threadMatch"]["method"] == "NEW_THREAD"
    old_thread = child["emailThread"]["id"]
    # when the parent arrives
    parent = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Quote 5 (revised)",
        message_id="<p1@other-vendor.test>",
    )
    # then the child is re-linked: same thread as the parent, parent set, by IN_REPLY_TO
    relinked = await email(admin, child["id"])
    assert relinked["parent"] == {"id": parent["id"]}
    assert relinked["emailThread"] == parent["emailThread"]
    assert relinked["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": parent["id"]},
    }
    # and the child's old thread is gone, the parent's thread holds both
    assert await thread(admin, old_thread) is None
    assert await EmailThread.filter(id=int(pk_of(old_thread))).count() == 0
    data = await thread(admin, parent["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 2
    assert {e["id"] for e in thread_emails(data)} == {child["id"], parent["id"]}
    assert data["hasReplies"] is True
    # and the root of the thread is the parent (the child has a parent now)
    assert data["rootEmail"] == {"id": parent["id"]}


async def test_a_grandchild_first_then_root_then_parent_ends_as_one_chain(
    admin, run_jobs
):
    # given a grandchild that arrives first, referencing the root and its parent
    await make_inbox(admin.organization_id)
    grandchild = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="x3",
        message_id="<g3@x.test>",
        in_reply_to="<g2@x.test>",
        references="<g1@x.test> <g2@x.test>",
    )
    # when the root arrives, and then the middle message
    root = await arrive(
        admin, run_jobs, sender=BOB, subject="x1", message_id="<g1@x.test>"
    )
    after_root = await email(admin, grandchild["id"])
    assert after_root["parent"] == {"id": root["id"]}
    assert after_root["threadMatch"]["method"] == "REFERENCES"
    middle = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="x2",
        message_id="<g2@x.test>",
        in_reply_to="<g1@x.test>",
    )
    # then the chain is root > middle > grandchild, all in one thread
    assert middle["parent"] == {"id": root["id"]}
    final = await email(admin, grandchild["id"])
    assert final["parent"] == {"id": middle["id"]}
    assert final["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": middle["id"]},
    }
    assert final["emailThread"] == root["emailThread"] == middle["emailThread"]
    data = await thread(admin, root["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 3
    assert await EmailThread.filter(organization_id=admin.organization_id).count() == 1


# ---------------------------------------------------------------------------
# Subject fallback


async def test_subject_fallback_joins_when_a_participant_is_shared(admin, run_jobs):
    # given a message from Alice
    await make_inbox(admin.organization_id)
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 9",
        message_id="<s1@vendor.test>",
    )
    # when Alice writes again with reply/forward prefixes and list tags, no headers
    subjects = [
        "Re: Invoice 9",
        "Fwd: Invoice 9",
        "AW: Invoice 9",
        "SV: Invoice 9",
        "TR: Invoice 9",
        "RE: [billing] Re: invoice 9",
        "[acme-list] Fw: INVOICE 9",
    ]
    followers = [
        await arrive(
            admin,
            run_jobs,
            sender=ALICE,
            subject=subject,
            message_id=f"<s-{i}@vendor.test>",
        )
        for i, subject in enumerate(subjects)
    ]
    # then each joins the first thread by SUBJECT_PARTICIPANTS
    for follower, subject in zip(followers, subjects, strict=True):
        assert follower["emailThread"] == first["emailThread"], subject
        assert follower["threadMatch"]["method"] == "SUBJECT_PARTICIPANTS", subject
        assert follower["threadMatch"]["matchedEmail"] is not None
    # and so does a stranger who copies Alice (a shared participant)
    copying = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Re: Invoice 9",
        cc="alice@vendor.test",
        message_id="<s-cc@other-vendor.test>",
    )
    assert copying["emailThread"] == first["emailThread"]
    data = await thread(admin, first["emailThread"]["id"])
    assert data["emails"]["totalCount"] == len(subjects) + 2


async def test_subject_fallback_never_joins_strangers(admin, run_jobs):
    # given Alice's message to the inbox, and a second inbox of the same organization
    await make_inbox(admin.organization_id)
    await make_inbox(admin.organization_id, "other-inbox@acme.test")
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 9",
        message_id="<n1@vendor.test>",
    )
    # when Bob writes the same subject to the same inbox
    bob = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Re: Invoice 9",
        message_id="<n2@other-vendor.test>",
    )
    # and Carol writes it to both inboxes (inbox addresses are not shared people)
    carol = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="Invoice 9",
        cc="other-inbox@acme.test",
        message_id="<n3@third.test>",
    )
    # then each stranger gets a new thread
    threads = {
        first["emailThread"]["id"],
        bob["emailThread"]["id"],
        carol["emailThread"]["id"],
    }
    assert len(threads) == 3
    assert bob["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    assert carol["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}


async def test_subject_fallback_only_within_30_days(admin, run_jobs):
    # given Alice's thread whose last email is 31 days old
    await make_inbox(admin.organization_id)
    first = await arrive(
        admin, run_jobs, sender=ALICE, subject="Contract", message_id="<w1@vendor.test>"
    )
    old = datetime.now(UTC) - timedelta(days=31)
    thread_pk = int(pk_of(first["emailThread"]["id"]))
    await EmailThread.filter(id=thread_pk).update(
        created_at=old, last_email_created_at=old
    )
    await Email.filter(email_thread_id=thread_pk).update(
        created_at=old, last_thread_email_created_at=old
    )
    # when Alice writes "Re: Contract" without headers
    late = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Contract",
        message_id="<w2@vendor.test>",
    )
    # then it starts a new thread
    assert late["emailThread"] != first["emailThread"]
    assert late["threadMatch"]["method"] == "NEW_THREAD"
    # and with 29 days it would have joined
    recent = datetime.now(UTC) - timedelta(days=29)
    await EmailThread.filter(id=thread_pk).update(last_email_created_at=recent)
    await Email.filter(id=int(pk_of(late["id"]))).delete()
    await EmailThread.filter(id=int(pk_of(late["emailThread"]["id"]))).delete()
    again = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Contract",
        message_id="<w3@vendor.test>",
    )
    assert again["emailThread"] == first["emailThread"]


# ---------------------------------------------------------------------------
# Dedupe and idempotency


async def test_the_same_message_twice_is_one_email(admin, run_jobs):
    # given an inbox and a message with an attachment
    await make_inbox(admin.organization_id)
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
    await make_inbox(admin.organization_id)
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
    await make_inbox(admin.organization_id)
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
    await make_inbox(admin.organization_id)
    await make_inbox(admin.organization_id, "second@acme.test")
    raw = mc.simple(message_id="<both@vendor.test>")
    # when the message arrives at both
    first = await imported_email(admin, run_jobs, raw)
    second = await imported_email(admin, run_jobs, raw, recipient="second@acme.test")
    # then each inbox has its own email
    assert first["id"] != second["id"]


async def test_an_idempotency_key_returns_the_same_task(admin, make_org, run_jobs):
    # given an import with an idempotency key
    await make_inbox(admin.organization_id)
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
    await make_inbox(org.organization_id, "other@other.test")
    theirs = await queued_task(
        org,
        mc.simple(message_id="<k1@x.test>"),
        recipient="other@other.test",
        idempotencyKey="key-1",
    )
    assert theirs != first


async def _counts(organization_id: int) -> dict[str, int]:
    return {
        "emails": await Email.filter(organization_id=organization_id).count(),
        "threads": await EmailThread.filter(organization_id=organization_id).count(),
        "documents": await Document.filter(organization_id=organization_id).count(),
        "annotations": await Annotation.filter(organization_id=organization_id).count(),
        "references": await EmailReference.filter(
            email__organization_id=organization_id
        ).count(),
    }


async def _as_if_crashed(task_id: str) -> uuid.UUID:
    """The state a worker leaves when it dies after committing the import but before
    marking the task done: RUNNING, started long ago (past the lease), no email."""
    pk = uuid.UUID(pk_of(task_id))
    await Task.filter(id=pk).update(
        status=TaskStatus.RUNNING,
        started_at=datetime.now(UTC) - timedelta(hours=1),
        finished_at=None,
        email_id=None,
    )
    return pk


async def test_a_job_rerun_after_a_crash_creates_nothing_twice(admin, run_jobs, redis):
    # given a reply with two attachments, imported (its parent is there)
    await make_inbox(admin.organization_id)
    await imported_email(admin, run_jobs, mc.simple(message_id="<cp@vendor.test>"))
    raw = mc.simple(
        message_id="<crash@vendor.test>",
        in_reply_to="<cp@vendor.test>",
        references="<cp@vendor.test>",
        attachments=[("a.pdf", mc.pdf("crash a")), ("b.pdf", mc.pdf("crash b"))],
    )
    task_id = await queued_task(admin, raw)
    await run_jobs()
    done = await task_of(admin, task_id)
    before = await _counts(admin.organization_id)
    assert before["documents"] == 2 and before["annotations"] == 2
    # when the worker "crashed" before marking it done and the job runs again directly
    pk = await _as_if_crashed(task_id)
    assert await import_email_job({}, str(pk)) == "succeeded"
    # then the task succeeded with the same email and nothing was created twice
    rerun = await task_of(admin, task_id)
    assert rerun["status"] == "SUCCEEDED"
    assert rerun["email"]["id"] == done["email"]["id"]
    assert await _counts(admin.organization_id) == before
    # and likewise when it is enqueued again under another arq job id
    await _as_if_crashed(task_id)
    await redis.enqueue_job(
        "import_email_job",
        str(pk),
        _job_id=f"retry-{pk}",
        _queue_name=f"{get_settings().redis_key_prefix}:queue",
    )
    await run_jobs()
    again = await task_of(admin, task_id)
    assert (
        again["status"] == "SUCCEEDED" and again["email"]["id"] == done["email"]["id"]
    )
    assert (await Task.get(id=pk)).attempts == 3
    assert await _counts(admin.organization_id) == before
    # and a finished task's job is skipped
    assert await import_email_job({}, str(pk)) == "skipped"
    assert await _counts(admin.organization_id) == before


async def test_a_task_held_by_a_live_worker_is_not_run_twice(admin, run_jobs):
    # given a task a worker claimed a moment ago (RUNNING, within its lease)
    await make_inbox(admin.organization_id)
    task_id = await queued_task(admin, mc.simple(message_id="<live@vendor.test>"))
    pk = uuid.UUID(pk_of(task_id))
    await Task.filter(id=pk).update(
        status=TaskStatus.RUNNING, started_at=datetime.now(UTC)
    )
    # when another run of its job starts
    result = await import_email_job({}, str(pk))
    # then it does nothing
    assert result == "skipped"
    assert await Email.filter(organization_id=admin.organization_id).count() == 0


# ---------------------------------------------------------------------------
# What the import sends and refuses


async def test_reject_without_documents_queues_an_automatic_rejection(
    admin, run_jobs, redis, smtp_sink
):
    # given an inbox that rejects mail without documents
    await make_inbox(admin.organization_id, reject_without_documents=True)
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
    await make_inbox(admin.organization_id, reject_without_documents=True)
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
    await make_inbox(
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
    await make_inbox(admin.organization_id, reject_without_documents=True)
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
    await make_inbox(admin.organization_id, reject_without_documents=True)
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
    await make_inbox(admin.organization_id, allowed_sender_patterns=["*@vendor.test"])
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
