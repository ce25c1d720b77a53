"""Task state changes made by jobs: claim, renew, succeed, fail, hand back. Each is
one conditional UPDATE, so two workers running the same job never both proceed.

A claim leases the task for TASK_LEASE_SECONDS (`lease_until`); the job's heartbeat
renews it while the work runs. A RUNNING task whose lease lapsed was left by a dead
worker and may be claimed again. Every claim bumps `attempts`, which names the
holder: the later writes of a run are conditional on it, so a worker that lost its
lease (it stalled past it and another worker took over) changes nothing.

A run that ends without an outcome (its worker died, its job was cancelled) bumps
`interruptions`: the job skeleton gives up on a task interrupted too often.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q

from app.core.errors import ErrorCode
from app.settings import get_settings
from app.tasks.models import Task, TaskStatus


def lease() -> timedelta:
    return timedelta(seconds=get_settings().task_lease_seconds)


def lapsed(now: datetime) -> Q:
    """RUNNING tasks whose worker is presumed dead (rows claimed before leases
    existed have no lease_until: their claim time counts)."""
    return Q(status=TaskStatus.RUNNING) & (
        Q(lease_until__lt=now)
        | Q(lease_until__isnull=True, started_at__lt=now - lease())
    )


async def claim(task_id: str) -> Task | None:
    """Move the task to RUNNING for this worker; None if finished, cancelled or
    held by a live worker."""
    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return None
    now = datetime.now(UTC)
    running = {
        "status": TaskStatus.RUNNING,
        "started_at": now,
        "lease_until": now + lease(),
        "attempts": F("attempts") + 1,
    }
    changed = await Task.filter(id=pk, status=TaskStatus.QUEUED).update(**running)
    if not changed:  # taking over from a dead worker: its run was interrupted
        changed = await Task.filter(Q(id=pk), lapsed(now)).update(
            **running, interruptions=F("interruptions") + 1
        )
    return await Task.get(id=pk) if changed else None


def _held(task: Task) -> Q:
    """The task as this run claimed it: still RUNNING, and no later claim."""
    return Q(id=task.id, status=TaskStatus.RUNNING, attempts=task.attempts)


async def renew(task: Task) -> bool:
    """Extend this run's lease; False if the run no longer holds the task."""
    changed = await Task.filter(_held(task)).update(
        lease_until=datetime.now(UTC) + lease()
    )
    return bool(changed)


async def succeed(task: Task, *, email_id: int | None) -> bool:
    """SUCCEEDED; False if this run no longer holds the task (nothing written)."""
    return await _settle(
        task,
        status=TaskStatus.SUCCEEDED,
        email_id=email_id,
        error_code=None,
        error_message=None,
    )


async def fail(
    task: Task, code: ErrorCode, message: str, *, email_id: int | None = None
) -> bool:
    """FAILED with a code; `email_id`, when given, names the email it concerns."""
    extra = {} if email_id is None else {"email_id": email_id}
    return await _settle(
        task,
        status=TaskStatus.FAILED,
        error_code=code.value,
        error_message=message[:2000],
        **extra,
    )


async def requeue(task: Task, *, interrupted: bool = False) -> None:
    """Back to QUEUED, for the job's next run: arq's Retry (same job id), or
    `interrupted`, a cancelled job (a worker stopping, arq's job timeout)."""
    extra = {"interruptions": F("interruptions") + 1} if interrupted else {}
    await Task.filter(_held(task)).update(
        status=TaskStatus.QUEUED, lease_until=None, **extra
    )


async def cancelled(task: Task) -> bool:
    return await _settle(task, status=TaskStatus.CANCELLED)


async def _settle(task: Task, **update: Any) -> bool:
    """The run's end, written only while this run holds the task; the row in
    memory follows, for what announces it (webhooks)."""
    update = {**update, "finished_at": datetime.now(UTC), "lease_until": None}
    if not await Task.filter(_held(task)).update(**update):
        return False
    for name, value in update.items():
        setattr(task, name, value)
    return True
