"""sendAt, sendBefore and cancelling a send."""

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Organization
from app.mail.models import (
    DeliveryStatus,
    Email,
)
from tests.helpers import gid, gid_of, pk_of
from tests.outbox.sending import (
    CANCEL,
    LIMITS,
    future,
    make_incoming,
    make_job_due,
    queue_with_inbox,
    run_due_jobs,
    sent_task,
    task_of,
    to,
)

# ---------------------------------------------------------------------------
# Scheduling and cancelling


async def test_send_at_in_the_future_waits_until_then(
    admin, smtp_sink, redis, run_jobs
):
    # given an email scheduled an hour from now
    queue = await queue_with_inbox(admin.organization_id)
    when = future(hours=1)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), sendAt=when
    )
    scheduled = task["email"]
    assert scheduled["deliveryStatus"] == "SCHEDULED"
    assert datetime.fromisoformat(scheduled["sendAt"]) == datetime.fromisoformat(when)
    # when the jobs that are due now run
    await run_due_jobs(redis)
    # then nothing was sent
    assert smtp_sink.attempts == 0
    waiting = await task_of(admin, task["id"])
    assert waiting["status"] == "QUEUED"
    assert waiting["email"]["deliveryStatus"] == "SCHEDULED"
    # when the hour has passed
    email_pk = int(pk_of(scheduled["id"]))
    await Email.filter(id=email_pk).update(
        send_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await make_job_due(redis, task["id"])
    await run_jobs()
    # then it is sent, once
    assert len(smtp_sink.received) == 1
    assert (await task_of(admin, task["id"]))["email"]["deliveryStatus"] == "SENT"


async def test_send_at_in_the_past_sends_at_once(admin, smtp_sink, run_jobs):
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), sendAt=future(minutes=-5)
    )
    assert task["email"]["deliveryStatus"] == "QUEUED"
    await run_jobs()
    assert len(smtp_sink.received) == 1


async def test_cancel_stops_a_scheduled_email(admin, smtp_sink, redis, run_jobs):
    # given a scheduled email
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), sendAt=future(hours=1)
    )
    # when it is cancelled
    result = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    # then it is CANCELLED, and so is its task
    assert result == {
        "__typename": "Email",
        "id": task["email"]["id"],
        "deliveryStatus": "CANCELLED",
    }
    cancelled = await task_of(admin, task["id"])
    assert cancelled["status"] == "CANCELLED"
    # and when its time comes and the job runs, nothing is sent
    await make_job_due(redis, task["id"])
    await run_jobs()
    assert smtp_sink.attempts == 0
    after = await task_of(admin, task["id"])
    assert after["status"] == "CANCELLED"
    assert (
        after["email"]["deliveryStatus"] == "CANCELLED"
        and after["email"]["tryCount"] == 0
    )
    # and cancelling again is harmless
    again = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    assert again["deliveryStatus"] == "CANCELLED"


async def test_cancel_stops_a_queued_email(admin, smtp_sink, run_jobs):
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    result = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    assert result["deliveryStatus"] == "CANCELLED"
    await run_jobs()
    assert smtp_sink.attempts == 0
    assert (await task_of(admin, task["id"]))["status"] == "CANCELLED"


async def test_cancel_of_a_sent_or_incoming_email_conflicts(
    admin, make_org, smtp_sink, run_jobs
):
    # given a sent email, an incoming email and another organization's outgoing email
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    incoming = await make_incoming(
        admin.organization_id, queue, subject="In", message_id="<in@vendor.test>"
    )
    other = await make_org("Other")
    their_queue = await queue_with_inbox(other.organization_id, inbox="in@other.test")
    theirs = await sent_task(other, queue=gid_of(their_queue), to=to("x@client.test"))
    # when each is cancelled
    sent = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    inc = (await admin.data(CANCEL, {"id": gid("Email", incoming.id)}))["cancelEmail"]
    foreign = (await admin.data(CANCEL, {"id": theirs["email"]["id"]}))["cancelEmail"]
    # then
    assert (sent["__typename"], sent["code"], sent["field"]) == (
        "InputError",
        "CONFLICT",
        "id",
    )
    assert "SENT" in sent["message"]
    assert (inc["__typename"], inc["code"]) == ("InputError", "CONFLICT")
    assert (foreign["__typename"], foreign["code"]) == ("InputError", "NOT_FOUND")
    assert (await Email.get(id=int(pk_of(theirs["email"]["id"])))).delivery_status == (
        DeliveryStatus.QUEUED
    )
    assert (await task_of(admin, task["id"]))["email"]["deliveryStatus"] == "SENT"


CANCEL_TASK = """
mutation CancelTask($id: ID!) {
  cancelTask(input: {id: $id}) {
    __typename
    ... on Task { id status }
    ... on InputError { code field message }
  }
}"""


@pytest.mark.parametrize("scheduled", [False, True], ids=["queued", "scheduled"])
async def test_cancel_task_of_a_send_cancels_the_email_too(
    admin, smtp_sink, redis, run_jobs, scheduled
):
    # given an organization with a send limit and a queued (or scheduled) email
    await Organization.filter(id=admin.organization_id).update(send_limit=5)
    queue = await queue_with_inbox(admin.organization_id)
    extra = {"sendAt": future(hours=1)} if scheduled else {}
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"), **extra)
    # when its task is cancelled (cancelTask, not cancelEmail)
    result = (await admin.data(CANCEL_TASK, {"id": task["id"]}))["cancelTask"]
    assert result == {"__typename": "Task", "id": task["id"], "status": "CANCELLED"}
    await make_job_due(redis, task["id"])
    await run_jobs()
    # then nothing is sent, and the email does not claim it is still on its way
    assert smtp_sink.attempts == 0
    email = (await task_of(admin, task["id"]))["email"]
    assert email["deliveryStatus"] == "CANCELLED", email["deliveryStatus"]
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 5


async def test_send_before_passed_when_the_job_runs_expires(admin, smtp_sink, run_jobs):
    # given an email that must go out within the hour
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        sendBefore=future(hours=1),
    )
    assert task["email"]["sendBefore"] is not None
    # when the hour has passed before the worker gets to it
    await Email.filter(id=int(pk_of(task["email"]["id"]))).update(
        send_before=datetime.now(UTC) - timedelta(minutes=1)
    )
    await run_jobs()
    # then it expired unsent
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED" and done["error"]["code"] == "CONFLICT"
    assert done["email"]["deliveryStatus"] == "EXPIRED"
    assert done["email"]["sentAt"] is None and done["email"]["tryCount"] == 0
