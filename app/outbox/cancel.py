"""cancelEmail: stop an outgoing email that has not started sending."""

from datetime import UTC, datetime

from app.core.errors import Conflict
from app.mail.models import DeliveryStatus, Email
from app.mail.service import get_email
from app.outbox.jobs import PENDING
from app.tasks.models import Task, TaskKind, TaskStatus


async def cancel_email(*, organization_id: int, email_id: int) -> Email:
    email = await get_email(organization_id=organization_id, email_id=email_id)
    changed = await Email.filter(id=email.id, delivery_status__in=PENDING).update(
        delivery_status=DeliveryStatus.CANCELLED
    )
    email = await Email.get(id=email.id)
    if not changed and email.delivery_status is not DeliveryStatus.CANCELLED:
        state = email.delivery_status.value if email.delivery_status else "not outgoing"
        raise Conflict(
            f"The email is {state}; only QUEUED or SCHEDULED can be cancelled.",
            field="id",
        )
    await Task.filter(
        email_id=email.id, kind=TaskKind.SEND_EMAIL, status=TaskStatus.QUEUED
    ).update(status=TaskStatus.CANCELLED, finished_at=datetime.now(UTC))
    return email
