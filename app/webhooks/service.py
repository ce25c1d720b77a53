"""Webhook verbs for the API: create (answering the secret once), update, delete,
redeliver; each scoped to one organization."""

from datetime import UTC, datetime

from arq.connections import ArqRedis

from app.core.errors import Conflict, InvalidInput, NotFound
from app.webhooks.destinations import check_destination
from app.webhooks.jobs import enqueue_deliveries
from app.webhooks.models import (
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
)
from app.webhooks.signing import new_secret

MAX_DESCRIPTION_CHARS = 500


def _events(events: list[WebhookEvent]) -> list[str]:
    if not events:
        raise InvalidInput("events must name at least one event.", field="events")
    wanted = {WebhookEvent(e) for e in events}
    return [e.value for e in WebhookEvent if e in wanted]  # in the enum's order


def _description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            f"description must be at most {MAX_DESCRIPTION_CHARS} characters.",
            field="description",
        )
    return description


async def create_webhook(
    *,
    organization_id: int,
    url: str,
    events: list[WebhookEvent],
    description: str = "",
) -> tuple[Webhook, str]:
    """A new enabled webhook and its signing secret (shown only here)."""
    wanted = _events(events)
    text = _description(description)
    await check_destination(url)
    secret = new_secret()
    webhook = await Webhook.create(
        organization_id=organization_id,
        url=url.strip(),
        events=wanted,
        description=text,
        secret=secret,
    )
    return webhook, secret


async def get_webhook(*, organization_id: int, webhook_id: int) -> Webhook:
    webhook = await Webhook.get_or_none(id=webhook_id, organization_id=organization_id)
    if webhook is None:
        raise NotFound("No such webhook.", field="id")
    return webhook


async def update_webhook(
    *,
    organization_id: int,
    webhook_id: int,
    url: str | None = None,
    events: list[WebhookEvent] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> Webhook:
    """Change what is given (None leaves a value); enabling starts a fresh count of
    failures."""
    webhook = await get_webhook(organization_id=organization_id, webhook_id=webhook_id)
    if events is not None:
        webhook.events = _events(events)
    if description is not None:
        webhook.description = _description(description)
    if url is not None:
        await check_destination(url)
        webhook.url = url.strip()
    if enabled is not None:
        if enabled and not webhook.enabled:
            webhook.failure_count = 0
        webhook.enabled = enabled
    await webhook.save()
    return webhook


async def delete_webhook(*, organization_id: int, webhook_id: int) -> None:
    """The webhook and its deliveries; their queued jobs find nothing to do."""
    webhook = await get_webhook(organization_id=organization_id, webhook_id=webhook_id)
    await webhook.delete()


async def redeliver(
    redis: ArqRedis, *, organization_id: int, delivery_id: int
) -> WebhookDelivery:
    """A new delivery of the same message (same `webhook-id` and body), queued now."""
    original = await WebhookDelivery.get_or_none(
        id=delivery_id, organization_id=organization_id
    ).select_related("webhook")
    if original is None:
        raise NotFound("No such webhook delivery.", field="deliveryId")
    if not original.webhook.enabled:
        raise Conflict(
            "The webhook is disabled; enable it (updateWebhook) to redeliver.",
            field="deliveryId",
        )
    again = await WebhookDelivery.create(
        organization_id=organization_id,
        webhook_id=original.webhook_id,
        event=original.event,
        message_id=original.message_id,
        payload=original.payload,
        status=WebhookDeliveryStatus.PENDING,
        next_try_at=datetime.now(UTC),
    )
    await enqueue_deliveries(redis, [again.id])
    return again
