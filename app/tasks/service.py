"""Task verbs."""

import uuid
from datetime import UTC, datetime

from app.core.errors import Conflict, NotFound
from app.mail.models import DeliveryStatus, Email
from app.tasks.models import Task, TaskKind, TaskStatus


async def cancel_task(*, organization_id: int, task_id: uuid.UUID) -> Task:
    """Cancel a task that no worker has started; one conditional update, so a
    worker claiming it at the same moment either wins or sees CANCELLED."""
    now = datetime.now(UTC)
    changed = await Task.filter(
        id=task_id, organization_id=organization_id, status=TaskStatus.QUEUED
    ).update(status=TaskStatus.CANCELLED, finished_at=now)
    task = await Task.get_or_none(id=task_id, organization_id=organization_id)
    if task is None:
        raise NotFound("No such task.", field="id")
    if changed and task.kind is TaskKind.SEND_EMAIL and task.email_id is not None:
        # A send that will not run leaves no email waiting (nor using the send limit).
        await Email.filter(
            id=task.email_id,
            delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED],
        ).update(delivery_status=DeliveryStatus.CANCELLED)
    if not changed and task.status is not TaskStatus.CANCELLED:
        raise Conflict(
            f"The task is {task.status.value}; only QUEUED tasks can be cancelled.",
            field="id",
        )
    return task
