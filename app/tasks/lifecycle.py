"""Task state changes made by jobs: claim, succeed, fail. Each is one conditional
UPDATE, so two workers running the same job never both proceed."""

import uuid
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F, Q

from app.core.errors import ErrorCode
from app.tasks.models import Task, TaskStatus

# A RUNNING task whose worker has been silent this long is presumed dead.
LEASE = timedelta(minutes=10)


async def claim(task_id: str) -> Task | None:
    """Move the task to RUNNING for this worker; None if finished, cancelled or
    held by a live worker."""
    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return None
    now = datetime.now(UTC)
    claimable = Q(status=TaskStatus.QUEUED) | Q(
        status=TaskStatus.RUNNING, started_at__lt=now - LEASE
    )
    changed = await Task.filter(Q(id=pk), claimable).update(
        status=TaskStatus.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return await Task.get(id=pk) if changed else None


async def succeed(task: Task, *, email_id: int | None) -> None:
    await Task.filter(id=task.id, status=TaskStatus.RUNNING).update(
        status=TaskStatus.SUCCEEDED,
        finished_at=datetime.now(UTC),
        email_id=email_id,
        error_code=None,
        error_message=None,
    )


async def fail(
    task: Task, code: ErrorCode, message: str, *, email_id: int | None = None
) -> None:
    """FAILED with a code; `email_id`, when given, names the email it concerns."""
    extra = {} if email_id is None else {"email_id": email_id}
    await Task.filter(id=task.id, status=TaskStatus.RUNNING).update(
        status=TaskStatus.FAILED,
        finished_at=datetime.now(UTC),
        error_code=code.value,
        error_message=message[:2000],
        **extra,
    )


async def requeue(task: Task) -> None:
    """Back to QUEUED before the job is retried later (arq Retry keeps the job id)."""
    await Task.filter(id=task.id, status=TaskStatus.RUNNING).update(
        status=TaskStatus.QUEUED
    )


async def cancelled(task: Task) -> None:
    await Task.filter(id=task.id, status=TaskStatus.RUNNING).update(
        status=TaskStatus.CANCELLED, finished_at=datetime.now(UTC)
    )
