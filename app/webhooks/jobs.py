"""The delivery job: POST one WebhookDelivery, signed, and record what happened.

A 2xx answer is SUCCEEDED. Anything else (another status, a timeout, a refused
connection, an address no longer allowed) is retried with exponential backoff and
jitter (arq's Retry, same job id) up to WEBHOOK_MAX_ATTEMPTS, then FAILED; a webhook
whose deliveries FAILED WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled.
Each try is claimed with one conditional update, so two runs never both call.
Redirects are not followed (they could lead to an address the check refused).
"""

import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from arq import Retry
from arq.connections import ArqRedis
from arq.constants import result_key_prefix
from arq.jobs import Job, JobStatus
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.core.errors import InvalidInput, is_outage
from app.core.metrics import WEBHOOK_DELIVERIES
from app.core.redis import queue_name
from app.settings import get_settings
from app.webhooks.destinations import check_destination
from app.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryStatus
from app.webhooks.signing import signed_headers

log = logging.getLogger("mailroom.webhooks")
DELIVERY_JOB = "deliver_webhook_job"
# A PENDING delivery this far past its next try has lost its job (see requeue).
LOST_AFTER = timedelta(seconds=60)
PENDING = WebhookDeliveryStatus.PENDING


def job_id(delivery_id: int) -> str:
    # arq's job keys are not under the queue's name: the prefix keeps deployments
    # (and test runs) sharing a Redis apart, as task ids (UUIDs) are by nature.
    return f"{get_settings().redis_key_prefix}:webhook-delivery:{delivery_id}"


async def enqueue_deliveries(redis: ArqRedis, delivery_ids: list[int]) -> None:
    """After the deliveries are committed; a job already known is left alone. With
    Redis away they stay PENDING for `requeue_lost_deliveries`."""
    try:
        for delivery_id in delivery_ids:
            await redis.enqueue_job(
                DELIVERY_JOB,
                delivery_id,
                _job_id=job_id(delivery_id),
                _queue_name=queue_name(),
            )
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning(
            "webhook deliveries committed, enqueue left to the reconciler",
            extra={"fields": {"deliveries": delivery_ids[:20]}},
        )


@dataclass
class Attempt:
    response_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def deliver_webhook_job(ctx: dict[str, Any], delivery_id: int) -> str:
    delivery = await WebhookDelivery.get_or_none(id=delivery_id).select_related(
        "webhook"
    )
    if delivery is None or delivery.status is not PENDING:
        return "skipped"  # delivered, failed, or its webhook was deleted
    webhook = delivery.webhook
    if not webhook.enabled:
        await WebhookDelivery.filter(id=delivery.id, status=PENDING).update(
            status=WebhookDeliveryStatus.FAILED,
            last_error="The webhook is disabled.",
            next_try_at=None,
        )
        return "disabled"
    claimed = await WebhookDelivery.filter(
        id=delivery.id, status=PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"  # another run took this try
    attempt = await _call(webhook, delivery)
    try:
        result = await _record(delivery, webhook, delivery.attempts + 1, attempt)
    except Retry:
        WEBHOOK_DELIVERIES.labels(delivery.event.value, "retrying").inc()
        raise
    WEBHOOK_DELIVERIES.labels(delivery.event.value, result).inc()
    log.info(
        "webhook delivery",
        extra={
            "fields": {
                "delivery": delivery.id,
                "webhook": webhook.id,
                "event": delivery.event.value,
                "result": result,
                "status_code": attempt.response_code,
            }
        },
    )
    return result


async def _call(webhook: Webhook, delivery: WebhookDelivery) -> Attempt:
    settings = get_settings()
    try:
        await check_destination(webhook.url)
    except InvalidInput as exc:
        return Attempt(None, exc.message)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        **signed_headers(
            webhook.secret,
            message_id=delivery.message_id,
            timestamp=datetime.now(UTC),
            body=body,
        ),
        "content-type": "application/json",
        "user-agent": "Mailroom-Webhooks/1",
    }
    try:
        # trust_env off: no proxy from the environment reroutes a checked address.
        async with httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            response = await client.post(
                webhook.url, content=body.encode(), headers=headers
            )
    except Exception as exc:  # timeouts, refusals, TLS, a URL httpx rejects: a try
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Attempt(response.status_code, None)
    return Attempt(response.status_code, f"HTTP {response.status_code}")


def backoff(attempt: int) -> timedelta:
    """Doubling from WEBHOOK_RETRY_BASE_SECONDS, each delay between half and all of
    it (jitter, so endpoints that come back are not hit by every retry at once)."""
    base = get_settings().webhook_retry_base_seconds * 2 ** (attempt - 1)
    return timedelta(seconds=base * random.uniform(0.5, 1.0))


async def _record(
    delivery: WebhookDelivery, webhook: Webhook, attempt: int, result: Attempt
) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    row = WebhookDelivery.filter(id=delivery.id, status=PENDING, attempts=attempt)
    seen = {"response_code": result.response_code, "last_error": result.error}
    if result.ok:
        async with in_transaction():
            await row.update(
                status=WebhookDeliveryStatus.SUCCEEDED,
                delivered_at=now,
                next_try_at=None,
                **seen,
            )
            await Webhook.filter(id=webhook.id).update(failure_count=0)
        return "delivered"
    if attempt < settings.webhook_max_attempts:
        delay = backoff(attempt)
        await row.update(next_try_at=now + delay, **seen)
        raise Retry(defer=delay)
    async with in_transaction():
        if not await row.update(
            status=WebhookDeliveryStatus.FAILED, next_try_at=None, **seen
        ):
            return "skipped"
        await Webhook.filter(id=webhook.id).update(failure_count=F("failure_count") + 1)
        disabled = await Webhook.filter(
            id=webhook.id,
            enabled=True,
            failure_count__gte=settings.webhook_disable_after_failures,
        ).update(enabled=False)
    if disabled:
        log.warning(
            "webhook disabled after repeated failures",
            extra={"fields": {"webhook": webhook.id}},
        )
    return "failed"


async def requeue_lost_deliveries(ctx: dict[str, Any]) -> int:
    """A cron: PENDING deliveries well past their next try lost their job (a Redis
    flush, a worker killed mid-try); enqueue them again."""
    redis: ArqRedis = ctx["redis"]
    lost: list[WebhookDelivery] = (
        await WebhookDelivery.filter(
            status=PENDING, next_try_at__lt=datetime.now(UTC) - LOST_AFTER
        )
        .order_by("id")
        .limit(500)
    )
    requeued = 0
    for delivery_id in (row.id for row in lost):
        job = Job(job_id(delivery_id), redis, _queue_name=queue_name())
        status = await job.status()
        if status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
            continue
        if status is JobStatus.complete:  # it ran but left the row PENDING
            await redis.delete(result_key_prefix + job_id(delivery_id))
        await enqueue_deliveries(redis, [delivery_id])
        requeued += 1
    if requeued:
        log.info("requeued webhook deliveries", extra={"fields": {"count": requeued}})
    return requeued
