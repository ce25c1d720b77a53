"""Emitting an event: one PENDING WebhookDelivery per enabled webhook of the
organization that wants it, written in the caller's transaction (with the change it
announces); the caller enqueues their jobs after commit (`jobs.enqueue_deliveries`).

Payloads carry what a client needs to fetch the rest through the API: global ids
as the API spells them, the event type and when it happened.
"""

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from app.core.ids import encode as global_id
from app.webhooks.models import Webhook, WebhookDelivery, WebhookEvent


async def emit(
    event: WebhookEvent, *, organization_id: int, data: dict[str, Any]
) -> list[int]:
    """The ids of the deliveries created for `event` (none without a webhook)."""
    webhooks = await _enabled(organization_id)
    wanted = [w for w in webhooks if event.value in w.events]
    if not wanted:
        return []
    now = datetime.now(UTC)
    payload = {"type": event.value, "timestamp": now.isoformat(), "data": data}
    deliveries = [
        await WebhookDelivery.create(
            organization_id=organization_id,
            webhook_id=webhook.id,
            event=event,
            message_id=f"msg_{uuid.uuid4().hex}",
            payload=payload,
            next_try_at=now,
        )
        for webhook in wanted
    ]
    return [d.id for d in deliveries]


# Within `one_lookup`: the enabled webhooks of each organization, read once.
_looked_up: ContextVar[dict[int, list[Webhook]] | None] = ContextVar(
    "webhooks_looked_up", default=None
)


@contextlib.contextmanager
def one_lookup() -> Iterator[None]:
    """The events emitted inside go to the webhooks enabled when the first was:
    a job emits an event of its work and then TASK_FINISHED, milliseconds apart,
    with one look-up of the organization's webhooks."""
    token = _looked_up.set({})
    try:
        yield
    finally:
        _looked_up.reset(token)


async def _enabled(organization_id: int) -> list[Webhook]:
    seen = _looked_up.get()
    if seen is not None and organization_id in seen:
        return seen[organization_id]
    webhooks = await Webhook.filter(organization_id=organization_id, enabled=True)
    if seen is not None:
        seen[organization_id] = webhooks
    return webhooks


def email_data(
    *, email_id: int, message_id: str, task_id: uuid.UUID | None = None, **more: Any
) -> dict[str, Any]:
    """`data` of the EMAIL_* events: the email, and the task that acted on it."""
    data: dict[str, Any] = {
        "email": {"id": global_id("Email", email_id), "messageId": message_id, **more}
    }
    if task_id is not None:
        data["task"] = {"id": global_id("Task", task_id)}
    return data


def task_data(
    *,
    task_id: uuid.UUID,
    kind: str,
    status: str,
    error_code: str | None,
    email_id: int | None,
) -> dict[str, Any]:
    """`data` of TASK_FINISHED: the task as `task(id:)` would show it, in short."""
    return {
        "task": {
            "id": global_id("Task", task_id),
            "kind": kind,
            "status": status,
            "error": None if error_code is None else {"code": error_code},
        },
        "email": None if email_id is None else {"id": global_id("Email", email_id)},
    }


async def email_bounced(
    *, organization_id: int, email_id: int, message_id: str, status: str, detail: str
) -> list[int]:
    """EMAIL_BOUNCED, emitted by app.outbox.bounces once a DSN marks an outgoing
    email BOUNCED: the DSN's status and diagnostic."""
    return await emit(
        WebhookEvent.EMAIL_BOUNCED,
        organization_id=organization_id,
        data=email_data(
            email_id=email_id,
            message_id=message_id,
            bounce={"status": status, "detail": detail[:500]},
        ),
    )
