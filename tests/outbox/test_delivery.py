"""Delivery: retries, failures, refused recipients, and at most once."""

import asyncio

from app.core.blobs import blob_store
from app.mail.models import (
    DeliveryStatus,
    Email,
)
from app.outbox.jobs import send_email_job
from app.tasks.models import Task, TaskStatus
from tests.factories import make_document
from tests.helpers import gid, gid_of, pk_of
from tests.outbox.sending import queue_with_inbox, sent_task, task_of, to

# ---------------------------------------------------------------------------
# Delivery: retries and failures


async def test_temporary_failure_is_retried_and_delivered_once(
    admin, smtp_sink, run_jobs
):
    # given a server that answers the first DATA with a 4xx
    smtp_sink.data_replies = ["451 4.3.0 Try again later"]
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"subject": "Retry me"},
    )
    # when the worker runs
    await run_jobs()
    # then the second try delivered one copy
    assert smtp_sink.attempts == 2
    assert len(smtp_sink.received) == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["error"] is None
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 2
    assert [t["status"] for t in sent["lastTries"]] == ["451", "250"]
    assert "Try again later" in sent["lastTries"][0]["detail"]
    assert sent["lastTries"][0]["at"] <= sent["lastTries"][1]["at"]


async def test_permanent_failure_fails_with_the_servers_reply(
    admin, smtp_sink, run_jobs
):
    # given a server that refuses the message for good
    smtp_sink.data_replies = ["554 5.7.1 Message rejected as spam"]
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    # then it is not retried, and the failure says why
    assert smtp_sink.attempts == 1 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "BAD_REQUEST"
    assert "Message rejected as spam" in done["error"]["message"]
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["failedAt"] is not None
    assert failed["sentAt"] is None and failed["tryCount"] == 1
    assert [t["status"] for t in failed["lastTries"]] == ["554"]
    assert "Message rejected as spam" in failed["lastTries"][0]["detail"]


async def test_temporary_failures_past_the_try_limit_fail(
    admin, smtp_sink, run_jobs, settings
):
    # given SEND_MAX_TRIES=4 and a server that is always busy
    settings(send_max_tries="4")
    smtp_sink.data_replies = [f"452 4.3.1 Busy {i}" for i in range(1, 10)]
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    # when the worker runs
    await run_jobs()
    # then it gave up after four tries, keeping the last three
    assert smtp_sink.attempts == 4 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Busy 4" in done["error"]["message"]
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 4
    assert [t["detail"].split()[-1] for t in failed["lastTries"]] == ["2", "3", "4"]
    assert {t["status"] for t in failed["lastTries"]} == {"452"}


async def test_a_connection_lost_before_data_is_retried_and_delivered_once(
    admin, smtp_sink, run_jobs
):
    # given a server that drops the connection at RCPT, once
    smtp_sink.refuse = {"x@client.test": smtp_sink.DROP}
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    # then nothing had left, so it was tried again and delivered once
    assert smtp_sink.attempts == 1 and len(smtp_sink.received) == 1
    sent = (await task_of(admin, task["id"]))["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 2
    assert sent["lastTries"][0]["status"] == "SMTPServerDisconnected"


async def test_a_connection_lost_during_data_is_uncertain_and_not_sent_again(
    admin, smtp_sink, run_jobs
):
    # given a server that takes the whole message, then drops the connection
    smtp_sink.data_replies = [smtp_sink.DROP]
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    # then it may have arrived: FAILED as DELIVERY_UNCERTAIN, never tried again
    assert smtp_sink.attempts == 1 and len(smtp_sink.dropped) == 1
    assert smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "DELIVERY_UNCERTAIN"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 1
    assert failed["lastTries"][0]["status"] == "SMTPServerDisconnected"


async def test_a_refused_recipient_is_reported_while_the_others_get_it(
    admin, smtp_sink, run_jobs
):
    # given a server that has no mailbox for one of the recipients
    smtp_sink.refuse = {"gone@client.test": "550 5.1.1 No such user"}
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test", "gone@client.test"),
        cc=to("c@client.test"),
    )
    await run_jobs()
    # then the others received it and the refusal is on the email
    assert [sorted(m.recipients) for m in smtp_sink.received] == [
        ["c@client.test", "x@client.test"]
    ]
    sent = (await task_of(admin, task["id"]))["email"]
    assert sent["deliveryStatus"] == "SENT"
    assert len(sent["refusedRecipients"]) == 1
    refused = sent["refusedRecipients"][0]
    assert refused["email"] == "gone@client.test" and refused["code"] == 550
    assert "No such user" in refused["message"]


async def test_all_recipients_refused_fails(admin, smtp_sink, run_jobs):
    smtp_sink.refuse = {
        "a@client.test": "550 5.1.1 No such user",
        "b@client.test": "550 5.1.1 No such user",
    }
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("a@client.test"), bcc=to("b@client.test")
    )
    await run_jobs()
    assert smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 1
    assert failed["lastTries"][-1]["status"] == "550"
    assert sorted(r["email"] for r in failed["refusedRecipients"]) == [
        "a@client.test",
        "b@client.test",
    ]


async def test_an_attachment_that_cannot_be_read_fails_the_send_clearly(
    admin, smtp_sink, run_jobs
):
    # given an email attaching a document whose bytes are gone from the blob store
    queue = await queue_with_inbox(admin.organization_id)
    document = await make_document(
        admin.organization_id, b"%PDF-1.4 lost", "lost.pdf", "application/pdf"
    )
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        attachDocuments=[gid("Document", document.id)],
    )
    blob_store().path(document.blob_key).unlink()
    # when the worker runs
    await run_jobs()
    # then nothing is sent, and the task and the email say it failed (not left
    # RUNNING / QUEUED for ever)
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED", (done["status"], done["email"]["deliveryStatus"])
    assert done["error"] is not None
    assert done["email"]["deliveryStatus"] == "FAILED"


# ---------------------------------------------------------------------------
# At most once


async def test_a_job_run_again_after_sent_sends_nothing(admin, smtp_sink, run_jobs):
    # given an email that was sent
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    assert len(smtp_sink.received) == 1
    # when its job runs again (a duplicate delivery of the job, the task put back)
    task_pk = pk_of(task["id"])
    await Task.filter(id=task_pk).update(status=TaskStatus.QUEUED)
    outcome = await send_email_job({}, task_pk)
    # then nothing more is sent and the task ends as it was
    assert outcome == "already sent"
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["email"]["deliveryStatus"] == "SENT" and done["email"]["tryCount"] == 1


async def test_two_workers_running_the_same_job_at_once_send_it_once(admin, smtp_sink):
    # given a queued email
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    # when two workers pick its job up at the same moment
    outcomes = await asyncio.gather(
        send_email_job({}, pk_of(task["id"])), send_email_job({}, pk_of(task["id"]))
    )
    # then one sends it and the other does nothing
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["attempts"] == 1
    assert done["email"]["tryCount"] == 1


async def test_an_email_left_sending_by_a_crash_is_not_sent_again(
    admin, smtp_sink, run_jobs
):
    # given an email whose worker died while handing it over
    # (the email SENDING, its task QUEUED again)
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    email_pk = int(pk_of(task["email"]["id"]))
    await Email.filter(id=email_pk).update(
        delivery_status=DeliveryStatus.SENDING, try_count=1
    )
    # when the job runs
    await run_jobs()
    # then it does not send, and says why
    assert smtp_sink.attempts == 0 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "DELIVERY_UNCERTAIN"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["failedAt"] is not None
    assert failed["lastTries"][-1]["status"] == "DELIVERY_UNCERTAIN"
    assert "interrupted" in failed["lastTries"][-1]["detail"]


async def test_a_send_interrupted_too_often_fails_its_email_without_sending(
    admin, smtp_sink, run_jobs, settings
):
    # given a send whose runs were cut short as often as TASK_MAX_INTERRUPTIONS
    settings(task_max_interruptions=3)
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await Task.filter(id=pk_of(task["id"])).update(interruptions=3)
    # when its job runs again
    await run_jobs()
    # then it is given up: nothing sent, the task and the email FAILED, saying why
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED" and done["error"]["code"] == "INTERNAL_ERROR"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 0
    assert failed["lastTries"][-1]["status"] == "INTERRUPTED"
    assert "interrupted 3 times" in failed["lastTries"][-1]["detail"]
