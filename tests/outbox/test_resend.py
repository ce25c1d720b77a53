"""resendEmail: a FAILED email sent again by a person's decision, once, with the
same Message-ID; and DELIVERY_UNCERTAIN, the failure that makes one want to."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from app.accounts.models import Organization, Role, User
from app.mail.models import DeliveryStatus, Email
from app.outbox import resend as resend_module
from app.tasks.models import Task
from app.tasks.service import submit
from tests.helpers import (
    Actor,
    assert_forbidden,
    assert_input_error,
    gid,
    gid_of,
    pk_of,
)
from tests.outbox.sending import (
    LIMITS,
    RESEND,
    make_incoming,
    parse,
    queue_with_inbox,
    resend,
    sent_task,
    task_of,
    to,
)


async def _interrupted(actor: Actor, run_jobs: Any) -> dict[str, Any]:
    """A sent email whose worker died mid-SMTP (the email left SENDING, its task
    QUEUED again), after its job ran again; that Task, polled."""
    queue = await queue_with_inbox(actor.organization_id)
    task = await sent_task(
        actor,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"subject": "Invoice 7", "message": "<p>Paid.</p>"},
    )
    await Email.filter(id=pk_of(task["email"]["id"])).update(
        delivery_status=DeliveryStatus.SENDING, try_count=1
    )
    await run_jobs()
    return await task_of(actor, task["id"])


async def _tasks(organization_id: int) -> int:
    return await Task.filter(organization_id=organization_id).count()


# ---------------------------------------------------------------------------
# DELIVERY_UNCERTAIN, then a resend


async def test_an_interrupted_delivery_is_uncertain_and_a_resend_delivers_it_once(
    admin, smtp_sink, run_jobs
):
    # given an email interrupted mid-SMTP
    uncertain = await _interrupted(admin, run_jobs)
    # then it is FAILED as DELIVERY_UNCERTAIN ("maybe sent"), not sent again
    assert smtp_sink.attempts == 0
    assert uncertain["status"] == "FAILED"
    assert uncertain["error"]["code"] == "DELIVERY_UNCERTAIN"
    assert "may have arrived" in uncertain["error"]["message"]
    email = uncertain["email"]
    assert email["deliveryStatus"] == "FAILED"
    assert [t["status"] for t in email["lastTries"]] == ["DELIVERY_UNCERTAIN"]
    # when a manager resends it
    manager = await admin.add_user(Role.MANAGER)
    task = await resend(manager, email["id"])
    # then a new send task is queued for the same email, back to QUEUED
    assert task["__typename"] == "Task", task
    assert task["kind"] == "SEND_EMAIL" and task["status"] == "QUEUED"
    assert task["id"] != uncertain["id"]
    queued = task["email"]
    assert queued["id"] == email["id"] and queued["deliveryStatus"] == "QUEUED"
    assert queued["failedAt"] is None and queued["tryCount"] == 1
    assert queued["lastTries"][-1]["status"] == "RESEND"
    # and the worker delivers it exactly once, with the same Message-ID and body
    await run_jobs()
    [received] = smtp_sink.received
    message = parse(received.data)
    assert message["Message-ID"] == email["messageId"]
    assert message["Subject"] == "Invoice 7"
    assert "Paid." in message.get_body(("html",)).get_content()
    assert received.recipients == ["x@client.test"]
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["error"] is None
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 2
    assert sent["messageId"] == email["messageId"]
    assert [t["status"] for t in sent["lastTries"]] == [
        "DELIVERY_UNCERTAIN",
        "RESEND",
        "250",
    ]
    who = await User.get(id=manager.user_id)
    assert sent["lastTries"][1]["detail"] == f"resent by {who.email}"
    # and the first task stays as it ended
    assert (await task_of(admin, uncertain["id"]))["status"] == "FAILED"
    assert smtp_sink.attempts == 1


async def test_a_refused_email_is_resent_and_not_charged_to_the_send_limit_again(
    admin, smtp_sink, run_jobs
):
    # given an organization that may send one email, and that one refused for good
    await Organization.filter(id=admin.organization_id).update(send_limit=1)
    smtp_sink.data_replies = ["554 5.7.1 Rejected"]
    queue = await queue_with_inbox(admin.organization_id)
    first = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    failed = await task_of(admin, first["id"])
    assert failed["error"]["code"] == "BAD_REQUEST"
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0
    # when it is resent (the receiver has been fixed)
    task = await resend(admin, failed["email"]["id"])
    assert task["__typename"] == "Task", task
    await run_jobs()
    # then it is delivered, and the limit is as it was
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 2
    sent = (await task_of(admin, task["id"]))["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 2
    assert [t["status"] for t in sent["lastTries"]] == ["554", "RESEND", "250"]
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0


async def test_a_resend_after_exhausted_retries_gets_tries_of_its_own(
    admin, smtp_sink, run_jobs, settings
):
    # given SEND_MAX_TRIES=2 and an email that failed after two busy replies
    settings(send_max_tries="2")
    smtp_sink.data_replies = ["452 4.3.1 Busy", "452 4.3.1 Busy"]
    queue = await queue_with_inbox(admin.organization_id)
    first = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    failed = await task_of(admin, first["id"])
    assert failed["email"]["tryCount"] == 2
    # when it is resent and the server is busy once more
    smtp_sink.data_replies = ["452 4.3.1 Busy"]
    task = await resend(admin, failed["email"]["id"])
    await run_jobs()
    # then the resend retried on its own count and delivered it once
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 4
    sent = (await task_of(admin, task["id"]))["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 4
    assert [t["status"] for t in sent["lastTries"]] == ["RESEND", "452", "250"]


# ---------------------------------------------------------------------------
# What cannot be resent


async def test_a_sent_or_queued_email_is_not_resent(admin, smtp_sink, run_jobs):
    queue = await queue_with_inbox(admin.organization_id)
    sent = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    queued = await sent_task(admin, queue=gid_of(queue), to=to("y@client.test"))
    tasks = await _tasks(admin.organization_id)
    for task, state in ((sent, "SENT"), (queued, "QUEUED")):
        result = await resend(admin, task["email"]["id"])
        assert_input_error(result, "CONFLICT", "id")
        assert state in result["message"]
    assert await _tasks(admin.organization_id) == tasks
    assert (await task_of(admin, queued["id"]))["email"]["deliveryStatus"] == "QUEUED"
    await run_jobs()
    assert len(smtp_sink.received) == 2


async def test_an_incoming_email_is_not_resent(admin):
    queue = await queue_with_inbox(admin.organization_id)
    incoming = await make_incoming(
        admin.organization_id, queue, subject="Hi", message_id="<in-1@vendor.test>"
    )
    result = await resend(admin, gid_of(incoming))
    assert_input_error(result, "CONFLICT", "id")
    assert "incoming" in result["message"]


async def test_an_email_past_its_send_before_is_not_resent(admin, smtp_sink, run_jobs):
    uncertain = await _interrupted(admin, run_jobs)
    await Email.filter(id=pk_of(uncertain["email"]["id"])).update(
        send_before=datetime(2020, 1, 1, tzinfo=UTC)
    )
    result = await resend(admin, uncertain["email"]["id"])
    assert_input_error(result, "CONFLICT", "id")
    assert "sendBefore" in result["message"]
    assert smtp_sink.attempts == 0


async def test_an_email_whose_send_task_was_purged_is_not_resent(
    admin, smtp_sink, run_jobs
):
    # given a failed email whose send task (the full message) is gone
    uncertain = await _interrupted(admin, run_jobs)
    await Task.filter(id=pk_of(uncertain["id"])).delete()
    # then a resend is refused rather than sending something else
    result = await resend(admin, uncertain["email"]["id"])
    assert_input_error(result, "CONFLICT", "id")
    assert "sendEmail" in result["message"]
    assert await _tasks(admin.organization_id) == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR])
async def test_a_role_below_manager_is_forbidden_and_changes_nothing(
    admin, smtp_sink, run_jobs, role
):
    uncertain = await _interrupted(admin, run_jobs)
    tasks = await _tasks(admin.organization_id)
    actor = await admin.add_user(role)
    body = await actor.gql(RESEND, {"id": uncertain["email"]["id"]})
    assert_forbidden(body)
    assert body["errors"][0]["path"] == ["resendEmail"]
    assert await _tasks(admin.organization_id) == tasks
    email = await Email.get(id=pk_of(uncertain["email"]["id"]))
    assert email.delivery_status is DeliveryStatus.FAILED


async def test_another_organizations_email_is_not_found(
    admin, make_org, smtp_sink, run_jobs
):
    # given a failed email of organization A
    uncertain = await _interrupted(admin, run_jobs)
    other = await make_org("Other")
    # when B resends it, or an id that names no email
    foreign = await resend(other, uncertain["email"]["id"])
    missing = await resend(other, gid("Email", 999_999))
    forged = await resend(other, "not-an-id")
    # then each is NOT_FOUND and A's email stays FAILED, unsent
    for result in (foreign, missing, forged):
        assert_input_error(result, "NOT_FOUND", "id")
    assert await _tasks(other.organization_id) == 0
    email = await Email.get(id=pk_of(uncertain["email"]["id"]))
    assert email.delivery_status is DeliveryStatus.FAILED
    await run_jobs()
    assert smtp_sink.attempts == 0


# ---------------------------------------------------------------------------
# Concurrency


async def test_two_resends_at_once_queue_one_send(
    admin, smtp_sink, run_jobs, monkeypatch
):
    # given an uncertain email, and two resends held until both have read it FAILED
    uncertain = await _interrupted(admin, run_jobs)
    tasks = await _tasks(admin.organization_id)
    both_read = asyncio.Barrier(2)

    async def submit_when_both_read(*args: Any, **kwargs: Any) -> Any:
        await asyncio.wait_for(both_read.wait(), timeout=5)
        return await submit(*args, **kwargs)

    monkeypatch.setattr(resend_module, "submit", submit_when_both_read)
    # when two people resend it at the same moment
    results = await asyncio.gather(
        resend(admin, uncertain["email"]["id"]),
        resend(admin, uncertain["email"]["id"]),
    )
    # then one gets a Task, the other a CONFLICT naming the new state
    assert sorted(r["__typename"] for r in results) == ["InputError", "Task"], results
    [refused] = [r for r in results if r["__typename"] == "InputError"]
    assert_input_error(refused, "CONFLICT", "id")
    assert "QUEUED" in refused["message"]
    assert await _tasks(admin.organization_id) == tasks + 1
    # and it is delivered once
    await run_jobs()
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 1
    email = await Email.get(id=pk_of(uncertain["email"]["id"]))
    assert email.delivery_status is DeliveryStatus.SENT and email.try_count == 2
    assert [t["status"] for t in email.last_tries] == [
        "DELIVERY_UNCERTAIN",
        "RESEND",
        "250",
    ]
