"""Deliveries to a real HTTP receiver: signed per Standard Webhooks, retried after
a failure, a webhook disabled after repeated failure, redelivery."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from arq.constants import job_key_prefix
from standardwebhooks import Webhook as Verifier

from app.core.redis import queue_name
from app.webhooks.jobs import job_id, requeue_lost_deliveries
from app.webhooks.models import WebhookDelivery
from tests.helpers import assert_input_error, mutate
from tests.webhooks.receiver import (
    REDELIVER,
    Received,
    create_webhook,
    import_email,
    webhook_with_deliveries,
)

TASK = "query($id: ID!) { task(id: $id) { status email { id messageId } } }"


def independent_signature(secret: str, request: Received) -> str:
    """The spec's signature computed here, not by the package the app signs with."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = (
        f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}."
    ).encode() + request.body
    return (
        "v1,"
        + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    )


async def test_an_import_is_delivered_signed_with_the_ids_a_client_needs(
    admin, inbox, receiver, run_jobs
):
    # given a webhook for received emails and finished tasks
    webhook, secret = await create_webhook(
        admin, receiver.url, ["EMAIL_RECEIVED", "TASK_FINISHED"], description="CRM"
    )
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert (webhook["enabled"], webhook["description"]) == (True, "CRM")
    # when an email is imported and the worker runs
    task_id = await import_email(admin, "Invoice 7")
    await run_jobs()
    # then the receiver got both events, each signed as the specification says
    assert len(receiver.requests) == 2
    bodies = {}
    for request in receiver.requests:
        assert request.path == "/hooks"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["webhook-id"].startswith("msg_")
        assert request.headers["webhook-signature"] == independent_signature(
            secret, request
        )
        payload = Verifier(secret).verify(request.body, request.headers)
        bodies[payload["type"]] = payload
    # and the payloads name the email and task by the API's global ids
    task = (await admin.data(TASK, {"id": task_id}))["task"]
    assert task["status"] == "SUCCEEDED"
    received = bodies["EMAIL_RECEIVED"]
    assert received["data"]["email"] == {
        "id": task["email"]["id"],
        "messageId": task["email"]["messageId"],
    }
    assert received["data"]["task"] == {"id": task_id}
    assert bodies["TASK_FINISHED"]["data"] == {
        "task": {
            "id": task_id,
            "kind": "IMPORT_EMAIL",
            "status": "SUCCEEDED",
            "error": None,
        },
        "email": {"id": task["email"]["id"]},
    }
    assert all(b["timestamp"] for b in bodies.values())
    # and the deliveries are recorded as succeeded
    seen = await webhook_with_deliveries(admin, webhook["id"])
    assert seen["deliveries"]["totalCount"] == 2
    for delivery in seen["deliveries"]["nodes"]:
        assert (delivery["status"], delivery["attempts"]) == ("SUCCEEDED", 1)
        assert delivery["responseCode"] == 204 and delivery["deliveredAt"]
        assert delivery["webhook"] == {"id": webhook["id"]}


async def test_a_tampered_body_fails_verification(admin, inbox, receiver, run_jobs):
    _, secret = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    await import_email(admin, "Tamper")
    await run_jobs()
    [request] = receiver.requests
    tampered = request.body.replace(b"SUCCEEDED", b"FAILED")
    try:
        Verifier(secret).verify(tampered, request.headers)
    except Exception as exc:
        assert type(exc).__name__ == "WebhookVerificationError"
    else:
        raise AssertionError("a tampered body verified")


async def test_a_500_is_retried_and_then_delivered(admin, inbox, receiver, run_jobs):
    # given a receiver that fails the first try
    receiver.replies = [500]
    webhook, secret = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    # when an event is delivered
    await import_email(admin, "Retry")
    await run_jobs()
    # then the second try succeeded, with the same message id and body
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    Verifier(secret).verify(second.body, second.headers)
    [delivery] = (await webhook_with_deliveries(admin, webhook["id"]))["deliveries"][
        "nodes"
    ]
    assert (delivery["status"], delivery["attempts"]) == ("SUCCEEDED", 2)
    assert (delivery["responseCode"], delivery["lastError"]) == (204, None)


async def test_repeated_failure_fails_deliveries_and_disables_the_webhook(
    admin, inbox, receiver, run_jobs, settings
):
    # given a receiver that always fails, 2 tries a delivery, 2 failures to disable
    settings(webhook_max_attempts="2", webhook_disable_after_failures="2")
    receiver.replies = [500] * 10
    webhook, _ = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    # when two events fail to be delivered
    await import_email(admin, "One")
    await import_email(admin, "Two")
    await run_jobs()
    # then each was tried twice and failed, and the webhook is disabled
    assert len(receiver.requests) == 4
    seen = await webhook_with_deliveries(admin, webhook["id"])
    assert (seen["enabled"], seen["failureCount"]) == (False, 2)
    for delivery in seen["deliveries"]["nodes"]:
        assert (delivery["status"], delivery["attempts"]) == ("FAILED", 2)
        assert (delivery["responseCode"], delivery["lastError"]) == (500, "HTTP 500")
        assert delivery["nextTryAt"] is None
    # and a later event is not delivered to it, nor can a failure be redelivered
    await import_email(admin, "Three")
    await run_jobs()
    assert len(receiver.requests) == 4
    assert await WebhookDelivery.all().count() == 2
    result = await mutate(
        admin,
        REDELIVER,
        {"input": {"deliveryId": seen["deliveries"]["nodes"][0]["id"]}},
    )
    assert_input_error(result, "CONFLICT", "deliveryId")


async def test_a_refused_connection_is_recorded_as_the_error(
    admin, inbox, receiver, run_jobs, settings
):
    # given a webhook whose endpoint went away
    settings(webhook_max_attempts="1")
    webhook, _ = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    receiver.close()
    await import_email(admin, "Gone")
    await run_jobs()
    [delivery] = (await webhook_with_deliveries(admin, webhook["id"]))["deliveries"][
        "nodes"
    ]
    assert delivery["status"] == "FAILED" and delivery["responseCode"] is None
    assert "ConnectError" in delivery["lastError"]


async def test_redelivery_sends_the_same_message_again_as_a_new_delivery(
    admin, inbox, receiver, run_jobs
):
    # given a delivered event
    webhook, secret = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    await import_email(admin, "Again")
    await run_jobs()
    [original] = (await webhook_with_deliveries(admin, webhook["id"]))["deliveries"][
        "nodes"
    ]
    # when it is redelivered
    again = await mutate(admin, REDELIVER, {"input": {"deliveryId": original["id"]}})
    assert again["__typename"] == "WebhookDelivery", again
    assert (again["status"], again["attempts"]) == ("PENDING", 0)
    assert again["messageId"] == original["messageId"]
    assert again["payload"] == original["payload"]
    await run_jobs()
    # then the receiver got the same message twice, both signed
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert Verifier(secret).verify(second.body, second.headers) == json.loads(
        first.body
    )
    # and the deliveries list the new one first
    nodes = (await webhook_with_deliveries(admin, webhook["id"]))["deliveries"]["nodes"]
    assert [n["id"] for n in nodes] == [again["id"], original["id"]]
    assert [n["status"] for n in nodes] == ["SUCCEEDED", "SUCCEEDED"]


async def test_a_delivery_whose_job_was_lost_is_requeued(
    admin, inbox, receiver, run_jobs, redis
):
    # given a committed delivery whose job vanished (a Redis flush), overdue
    webhook, _ = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    cancelled = await admin.data(
        "mutation($id: ID!) { cancelTask(input: {id: $id}) { __typename } }",
        {"id": await import_email(admin, "Lost")},
    )
    assert cancelled["cancelTask"]["__typename"] == "Task"
    [delivery] = await WebhookDelivery.all()
    await redis.delete(job_key_prefix + job_id(delivery.id), queue_name())
    await WebhookDelivery.all().update(
        next_try_at=datetime.now(UTC) - timedelta(hours=1)
    )
    # when the requeue cron runs, then the worker
    assert await requeue_lost_deliveries({"redis": redis}) == 1
    await run_jobs()
    # then it was delivered, and there is nothing more to requeue
    assert len(receiver.requests) == 1
    assert await requeue_lost_deliveries({"redis": redis}) == 0
