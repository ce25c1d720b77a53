"""The organization's send limit, and idempotency keys."""

import asyncio

from app.accounts.models import Organization
from tests.helpers import gid_of
from tests.outbox.sending import (
    CANCEL,
    LIMITS,
    outgoing_rows,
    queue_with_inbox,
    send,
    sent_task,
    to,
)

# ---------------------------------------------------------------------------
# Send limit and idempotency


async def test_send_limit_is_enforced_and_cancelled_emails_give_it_back(
    admin, smtp_sink, run_jobs
):
    # given an organization that may send two emails
    await Organization.filter(id=admin.organization_id).update(send_limit=2)
    queue = await queue_with_inbox(admin.organization_id)
    assert (await admin.data(LIMITS))["limits"]["sendLimit"] == 2
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 2
    request = {"queue": gid_of(queue), "to": to("x@client.test")}
    # when it sends two
    first = await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 1
    await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0
    # then a third is refused, and nothing is stored for it
    third = await send(admin, **request)
    assert third["__typename"] == "InputError" and third["code"] == "RATE_LIMITED", (
        third
    )
    assert await outgoing_rows(admin.organization_id) == (2, 2)
    # when one of the two is cancelled, its allowance comes back
    await admin.data(CANCEL, {"id": first["email"]["id"]})
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 1
    await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0
    assert (await send(admin, **request))["code"] == "RATE_LIMITED"
    # and sent emails still count
    await run_jobs()
    assert len(smtp_sink.received) == 2
    assert (await admin.data(LIMITS))["limits"] == {
        "sendLimit": 2,
        "sendLimitLeft": 0,
        "maxRecipients": 40,
    }


async def test_unlimited_organization_has_no_send_limit(admin):
    limits = (await admin.data(LIMITS))["limits"]
    assert limits["sendLimit"] is None and limits["sendLimitLeft"] is None


async def test_idempotency_key_returns_the_same_task_and_sends_once(
    admin, smtp_sink, run_jobs
):
    # given a send with an idempotency key
    queue = await queue_with_inbox(admin.organization_id)
    request = {
        "queue": gid_of(queue),
        "to": to("x@client.test"),
        "idempotencyKey": "order-55-confirmation",
    }
    first = await sent_task(admin, **request)
    # when it is repeated, before and after the worker ran
    again = await send(admin, **request)
    await run_jobs()
    later = await send(admin, **request)
    # then it is the same task and email each time, and one message went out
    assert again["id"] == first["id"] == later["id"]
    assert again["email"]["id"] == first["email"]["id"] == later["email"]["id"]
    assert later["status"] == "SUCCEEDED"
    assert await outgoing_rows(admin.organization_id) == (1, 1)
    assert len(smtp_sink.received) == 1
    # and another key is another email
    other = await sent_task(admin, **{**request, "idempotencyKey": "order-56"})
    assert other["id"] != first["id"]


async def test_idempotency_key_holds_for_concurrent_requests(
    admin, smtp_sink, run_jobs
):
    # given a client that retries a send while the first request is still running
    queue = await queue_with_inbox(admin.organization_id)
    request = {
        "queue": gid_of(queue),
        "to": to("x@client.test"),
        "idempotencyKey": "retry-storm",
    }
    # when three identical requests arrive together
    results = await asyncio.gather(*[send(admin, **request) for _ in range(3)])
    await run_jobs()
    # then they share one task and one email, and one message is sent
    assert [r["__typename"] for r in results] == ["Task"] * 3
    assert len({r["id"] for r in results}) == 1, "each request created its own send"
    assert await outgoing_rows(admin.organization_id) == (1, 1)
    assert len(smtp_sink.received) == 1


async def test_send_limit_holds_for_concurrent_requests(admin, smtp_sink):
    await Organization.filter(id=admin.organization_id).update(send_limit=2)
    queue = await queue_with_inbox(admin.organization_id)
    results = await asyncio.gather(
        *[
            send(admin, queue=gid_of(queue), to=to(f"r{n}@client.test"))
            for n in range(5)
        ]
    )
    assert sorted(r["__typename"] for r in results) == ["InputError"] * 3 + ["Task"] * 2
    assert {r["code"] for r in results if r["__typename"] == "InputError"} == {
        "RATE_LIMITED"
    }
    assert await outgoing_rows(admin.organization_id) == (2, 2)
