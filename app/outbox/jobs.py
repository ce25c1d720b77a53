"""The send job: deliver one outgoing Email, at most once.

Delivery state lives in the Email row and moves QUEUED/SCHEDULED -> SENDING -> SENT |
FAILED | EXPIRED with conditional updates. A job that finds its email SENDING was
interrupted after handing the message over (or while doing so): it does not send
again, because the server may already have accepted it; the email ends FAILED with
DELIVERY_UNCERTAIN ("maybe sent", unlike a refusal) for a person to resend or not.
"""

import logging
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from typing import Any

from arq import Retry
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app.core.blobs import blob_store
from app.core.errors import ErrorCode
from app.core.metrics import SENDS, SMTP_FAILURES
from app.documents.models import Document
from app.mail.headers import header_list
from app.mail.models import DeliveryStatus, Email
from app.mail.service import email_of
from app.outbox.composing import composed, envelope_recipients
from app.outbox.transport import DeliveryResult, deliver, wire_bytes
from app.settings import get_settings
from app.tasks.jobs import Outcome, task_job
from app.tasks.models import Task
from app.webhooks.events import email_data, emit
from app.webhooks.models import WebhookEvent

log = logging.getLogger("mailroom.send")
PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED)
UNCERTAIN = (
    "Delivery was interrupted: the email may have arrived. It is not sent again "
    "unless a person resends it."
)
# What the standard library raises on a header or name it cannot write: the stored
# email is at fault, so sending it again would fail the same way.
COMPOSE_ERRORS = (MessageError, ValueError, TypeError, IndexError)


def try_entry(status: str, detail: str) -> dict[str, str]:
    """One entry of Email.last_tries (a delivery attempt, or a resend)."""
    return {
        "at": datetime.now(UTC).isoformat(),
        "status": status,
        "detail": detail[:500],
    }


def with_try(email: Email, entry: dict[str, str]) -> list[dict[str, str]]:
    """The email's last_tries with `entry` added, keeping the last three."""
    return [*email.last_tries, entry][-3:]


async def _send_task(task: Task) -> Outcome:
    email = await email_of(task)
    outcome = await _settle_without_sending(email)
    if outcome is not None:
        return outcome
    if email.send_at is not None and email.send_at > datetime.now(UTC):
        # Run early (e.g. re-enqueued): the skeleton hands the task back till sendAt.
        raise Retry(defer=email.send_at - datetime.now(UTC))
    return await _send(task, email)


async def _abandon(task: Task, message: str) -> Outcome:
    """The task is given up (interrupted too often): so is its email. One left
    SENDING may have arrived, as for any interrupted delivery."""
    email = await email_of(task)
    if email.delivery_status is DeliveryStatus.SENDING:
        return await _settle_without_sending(email) or Outcome.cancelled()
    return await _give_up(
        email,
        from_states=list(PENDING),
        entry=try_entry("INTERRUPTED", message),
        code=ErrorCode.INTERNAL_ERROR,
        message=message,
        task=task,
    )


send_email_job = task_job("send_email_job", _send_task, abandon=_abandon)


async def _settle_without_sending(email: Email) -> Outcome | None:
    """How the task ends when the email's state says there is nothing to send."""
    status = email.delivery_status
    if status in (DeliveryStatus.SENT, DeliveryStatus.BOUNCED):
        return Outcome("already sent", email_id=email.id)
    if status is DeliveryStatus.CANCELLED:
        return Outcome.cancelled()
    if status in (DeliveryStatus.FAILED, DeliveryStatus.EXPIRED):
        return Outcome.failed(
            ErrorCode.CONFLICT, f"The email is {status.value}.", email_id=email.id
        )
    if status is DeliveryStatus.SENDING:
        return await _give_up(
            email,
            from_states=[DeliveryStatus.SENDING],
            entry=try_entry(
                ErrorCode.DELIVERY_UNCERTAIN.value,
                "delivery was interrupted mid-SMTP and may have arrived; "
                "not retried to never send twice",
            ),
            code=ErrorCode.DELIVERY_UNCERTAIN,
            message=UNCERTAIN,
        )
    if email.send_before is not None and datetime.now(UTC) >= email.send_before:
        await Email.filter(id=email.id, delivery_status__in=PENDING).update(
            delivery_status=DeliveryStatus.EXPIRED, failed_at=datetime.now(UTC)
        )
        return Outcome.failed(
            ErrorCode.CONFLICT,
            "sendBefore passed before delivery.",
            email_id=email.id,
            result="expired",
        )
    return None


async def _give_up(
    email: Email,
    *,
    from_states: list[DeliveryStatus],
    entry: dict[str, str],
    code: ErrorCode,
    message: str,
    task: Task | None = None,
) -> Outcome:
    """FAILED without (another) try: the email records why, the task fails."""
    deliveries = await _settle(
        email,
        Email.filter(id=email.id, delivery_status__in=from_states),
        WebhookEvent.EMAIL_FAILED,
        task=task,
        delivery_status=DeliveryStatus.FAILED,
        failed_at=datetime.now(UTC),
        last_tries=with_try(email, entry),
    )
    return Outcome.failed(code, message, email_id=email.id, deliveries=deliveries)


async def _settle(
    email: Email,
    rows: QuerySet[Email],
    event: WebhookEvent,
    *,
    task: Task | None,
    **update: Any,
) -> list[int] | None:
    """The email's final delivery state, and its webhook event in the same
    transaction: the one place EMAIL_SENT and EMAIL_FAILED come from. None when
    the conditional update found the email changed (no event)."""
    async with in_transaction():
        if not await rows.update(**update):
            return None
        return await emit(
            event,
            organization_id=email.organization_id,
            data=email_data(
                email_id=email.id,
                message_id=email.message_id,
                task_id=task.id if task is not None else None,
                deliveryStatus=update["delivery_status"].value,
            ),
        )


async def _send(task: Task, email: Email) -> Outcome:
    store = blob_store()
    wanted = task.payload.get("attach_document_ids", [])
    documents = await Document.filter(id__in=wanted) if wanted else []
    try:
        if len(documents) != len(set(wanted)):
            raise FileNotFoundError("an attachment was deleted")
        ordered = sorted(documents, key=lambda d: wanted.index(d.id))
        sender, recipients = email.from_address, envelope_recipients(email)
        built = await composed(
            email,
            html=task.payload.get("html", ""),
            text=task.payload.get("text", ""),
            attachments=[(d, await store.get(d.blob_key)) for d in ordered],
            wire=lambda message, data: wire_bytes(message, sender, recipients, data),
        )
        message, data = built.message, built.data
    except OSError as exc:  # an attachment's bytes are gone: nothing sensible to send
        return await _give_up(
            email,
            from_states=list(PENDING),
            entry=try_entry(
                "ATTACHMENT", f"cannot read an attachment: {exc.strerror or exc}"
            ),
            code=ErrorCode.NOT_FOUND,
            message="An attachment's content is missing.",
            task=task,
        )
    except COMPOSE_ERRORS as exc:
        return await _give_up(
            email,
            from_states=list(PENDING),
            entry=try_entry("MESSAGE", f"cannot compose the message: {exc}"),
            code=ErrorCode.BAD_REQUEST,
            message=f"The email cannot be composed: {exc}.",
        )
    sending = {
        "delivery_status": DeliveryStatus.SENDING,
        "raw_blob_key": await store.put(data),
        "raw_size": len(data),
        "message_headers": header_list((k, str(v)) for k, v in message.items())[0],
    }
    # Only over the row as read (pending, no try since): what the rest of this try
    # reads of it (addresses, try_count, last_tries) is the row in memory with
    # what is written here, so it is not read back.
    claimed = await Email.filter(
        id=email.id, delivery_status__in=PENDING, try_count=email.try_count
    ).update(**sending, try_count=F("try_count") + 1)
    if not claimed:  # cancelled (or expired, or tried) between our read and now
        settled = await _settle_without_sending(await Email.get(id=email.id))
        return settled or Outcome.failed(
            ErrorCode.CONFLICT, "The email changed while sending.", email_id=email.id
        )
    for name, value in {**sending, "try_count": email.try_count + 1}.items():
        setattr(email, name, value)
    result = await deliver(
        message,
        sender=email.from_address,
        recipients=envelope_recipients(email),
        wire=built.wire,
    )
    return await _record(task, email, result)


async def _record(task: Task, email: Email, result: DeliveryResult) -> Outcome:
    """Write what this try did, only over the state this run put the email in
    (SENDING at its try_count): a run that took the task over meanwhile may have
    settled it. An accepted message is recorded over that run's uncertain FAILED
    too: the server's 250 is the truth."""
    settings = get_settings()
    now = datetime.now(UTC)
    tries = with_try(email, try_entry(result.status, result.detail))
    update: dict[str, Any] = {"last_tries": tries, "refused_recipients": result.refused}
    fields = {"task": str(task.id), "email": email.id, "status": result.status}
    ours = Email.filter(id=email.id, try_count=email.try_count)
    if result.accepted:
        sent = await _settle(
            email,
            ours.filter(
                delivery_status__in=[DeliveryStatus.SENDING, DeliveryStatus.FAILED]
            ),
            WebhookEvent.EMAIL_SENT,
            task=task,
            delivery_status=DeliveryStatus.SENT,
            sent_at=now,
            failed_at=None,
            **update,
        )
        SENDS.labels("sent").inc()
        return Outcome("sent", email_id=email.id, deliveries=sent or [])
    SMTP_FAILURES.labels(
        "uncertain"
        if result.uncertain
        else "temporary"
        if result.temporary
        else "permanent"
    ).inc()
    sending = ours.filter(delivery_status=DeliveryStatus.SENDING)
    # A resend starts counting afresh: its task knows the tries made before it.
    tries = email.try_count - task.payload.get("tries_before", 0)
    if result.temporary and tries < settings.send_max_tries:
        if not await sending.update(delivery_status=DeliveryStatus.QUEUED, **update):
            return _settled_elsewhere(email)
        delay = settings.send_retry_base_seconds * 2 ** (tries - 1)
        log.info("retrying", extra={"fields": {**fields, "in_s": delay}})
        SENDS.labels("retrying").inc()
        raise Retry(defer=timedelta(seconds=delay))
    failed = await _settle(
        email,
        sending,
        WebhookEvent.EMAIL_FAILED,
        task=task,
        delivery_status=DeliveryStatus.FAILED,
        failed_at=now,
        **update,
    )
    if failed is None:
        return _settled_elsewhere(email)
    SENDS.labels("uncertain" if result.uncertain else "failed").inc()
    if result.uncertain:
        return Outcome.failed(
            ErrorCode.DELIVERY_UNCERTAIN,
            UNCERTAIN,
            email_id=email.id,
            deliveries=failed,
        )
    code = ErrorCode.SERVICE_UNAVAILABLE if result.temporary else ErrorCode.BAD_REQUEST
    return Outcome.failed(
        code,
        f"Delivery failed: {result.status} {result.detail}",
        email_id=email.id,
        deliveries=failed,
    )


def _settled_elsewhere(email: Email) -> Outcome:
    # The run that took this task over owns it now; this run writes nothing more.
    return Outcome.failed(
        ErrorCode.CONFLICT, "Another run settled the email.", email_id=email.id
    )
