"""Cancelling a send, from either end: the email (cancelEmail) or its task
(cancelTask). Both come down to `_cancel_pending`: a waiting email is CANCELLED
(giving its send allowance back) and its queued send task with it."""

from datetime import UTC, datetime

from app.core.errors import Conflict
from app.mail.models import DeliveryStatus, Email
from app.mail.service import get_email
from app.outbox.jobs import PENDING
from app.tasks.models import Task, TaskKind, TaskStatus


async def _cancel_pending(email_id: int) -> bool:
    changed = await Email.filter(id=email_id, delivery_status__in=PENDING).update(
        delivery_status=DeliveryStatus.CANCELLED
    )
    await Task.filter(
        email_id=email_id, kind=TaskKind.SEND_EMAIL, status=TaskStatus.QUEUED
    ).update(status=TaskStatus.CANCELLED, finished_at=datetime.now(UTC))
    return bool(changed)


async def cancel_email(*, organization_id: int, email_id: int) -> Email:
    email = await get_email(organization_id=organization_id, email_id=email_id)
    changed = await _cancel_pending(email.id)
    email = await Email.get(id=email.id)
    if not changed and email.delivery_status is not DeliveryStatus.CANCELLED:
        state = email.delivery_status.value if email.delivery_status else "not outgoing"
        raise Conflict(
            f"The email is {state}; only QUEUED or SCHEDULED can be cancelled.",
            field="id",
        )
    return email


async def release_send(task: Task) -> None:
    """For `tasks.service.cancel_task`: a send that will not run leaves no email
    waiting (nor using the send limit)."""
    if task.kind is TaskKind.SEND_EMAIL and task.email_id is not None:
        await _cancel_pending(task.email_id)
