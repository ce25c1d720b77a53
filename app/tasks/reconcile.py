"""Reconciler: puts back on the queue tasks whose job was lost (worker died, Redis
flushed). Tasks are the source of truth; the arq job id is the task id, so a job
still queued or running is never duplicated."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from app.tasks.models import FINISHED, Task, TaskStatus
from app.tasks.queue import JOB_FUNCTIONS, enqueue_task

log = logging.getLogger("mailroom.reconcile")
STALE_AFTER = timedelta(minutes=2)


async def reconcile_tasks(ctx: dict[str, Any]) -> int:
    cutoff = datetime.now(UTC) - STALE_AFTER
    stale = await Task.filter(
        status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING],
        kind__in=list(JOB_FUNCTIONS),
        created_at__lt=cutoff,
    ).limit(500)
    requeued = 0
    for task in stale:
        if await enqueue_task(ctx["redis"], task):
            requeued += 1
    if requeued:
        log.info("requeued tasks", extra={"fields": {"count": requeued}})
    return requeued


async def purge_expired_tasks(ctx: dict[str, Any]) -> int:
    """Delete finished tasks past their expiresAt (their emails stay)."""
    deleted = await Task.filter(
        status__in=list(FINISHED), expires_at__lt=datetime.now(UTC)
    ).delete()
    if deleted:
        log.info("purged tasks", extra={"fields": {"count": deleted}})
    return deleted
