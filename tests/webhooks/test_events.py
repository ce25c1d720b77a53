"""Which changes emit which events: sends (EMAIL_SENT, EMAIL_FAILED), cancelTask
(TASK_FINISHED, CANCELLED); a webhook gets only the events it asked for."""

import json

from app.webhooks.models import WebhookDelivery
from tests.helpers import gid_of
from tests.outbox.sending import queue_with_inbox, sent_task, task_of, to
from tests.webhooks.receiver import create_webhook, import_email

CANCEL_TASK = """mutation($id: ID!) { cancelTask(input: {id: $id}) { __typename
  ... on Task { id status } } }"""


def events_received(receiver) -> dict[str, dict]:
    return {(body := json.loads(r.body))["type"]: body for r in receiver.requests}


async def test_a_sent_email_emits_email_sent_with_its_ids(
    admin, receiver, smtp_sink, run_jobs
):
    await create_webhook(admin, receiver.url, ["EMAIL_SENT", "EMAIL_FAILED"])
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED"
    assert events_received(receiver)["EMAIL_SENT"]["data"] == {
        "email": {
            "id": done["email"]["id"],
            "messageId": done["email"]["messageId"],
            "deliveryStatus": "SENT",
        },
        "task": {"id": task["id"]},
    }
    assert len(receiver.requests) == 1  # not TASK_FINISHED: not asked for


async def test_a_refused_email_emits_email_failed(admin, receiver, smtp_sink, run_jobs):
    smtp_sink.data_replies = ["554 5.7.1 Rejected"]
    await create_webhook(admin, receiver.url, ["EMAIL_SENT", "EMAIL_FAILED"])
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    failed = events_received(receiver)["EMAIL_FAILED"]["data"]
    assert failed["email"]["id"] == done["email"]["id"]
    assert failed["email"]["deliveryStatus"] == "FAILED"
    assert list(events_received(receiver)) == ["EMAIL_FAILED"]


async def test_a_cancelled_task_emits_task_finished(admin, inbox, receiver, run_jobs):
    await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    task_id = await import_email(admin, "Never")
    cancelled = (await admin.data(CANCEL_TASK, {"id": task_id}))["cancelTask"]
    assert cancelled["status"] == "CANCELLED"
    await run_jobs()
    [request] = receiver.requests
    assert json.loads(request.body)["data"]["task"] == {
        "id": task_id,
        "kind": "IMPORT_EMAIL",
        "status": "CANCELLED",
        "error": None,
    }
    assert await WebhookDelivery.all().count() == 1


async def test_an_email_imported_twice_is_received_once(
    admin, inbox, receiver, run_jobs
):
    await create_webhook(admin, receiver.url, ["EMAIL_RECEIVED"])
    await import_email(admin, "Same")
    await import_email(admin, "Same")
    await run_jobs()
    assert len(receiver.requests) == 1
