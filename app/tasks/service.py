"""Task verbs."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from app.core.errors import Conflict, NotFound
from app.tasks.models import Task, TaskStatus


async def cancel_task(
    *,
    organization_id: int,
    task_id: uuid.UUID,
    on_cancelled: Callable[[Task], Awaitable[None]] | None = None,
) -> Task:
    """Cancel a task that no worker has started; one conditional update, so a
    worker claiming it at the same moment either wins or sees CANCELLED.
    `on_cancelled` lets the capability that owns the task undo what waits on it."""
    now = datetime.now(UTC)
    changed = await Task.filter(
        id=task_id, organization_id=organization_id, status=TaskStatus.QUEUED
    ).update(status=TaskStatus.CANCELLED, finished_at=now)
    task = await Task.get_or_none(id=task_id, organization_id=organization_id)
    if task is None:
        raise NotFound("No such task.", field="id")
    if changed and on_cancelled is not None:
        await on_cancelled(task)
    if not changed and task.status is not TaskStatus.CANCELLED:
        raise Conflict(
            f"The task is {task.status.value}; only QUEUED tasks can be cancelled.",
            field="id",
        )
    return task
