"""Reconciler: puts back on the queue tasks whose job was lost (worker died, Redis
flushed). Tasks are the source of truth; the arq job id is the task id, so a job
still queued or running is never duplicated."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.constants import result_key_prefix
from arq.jobs import Job, JobStatus
from tortoise.expressions import Q

from app.tasks.lifecycle import LEASE
from app.tasks.models import FINISHED, Task, TaskStatus
from app.tasks.queue import JOB_FUNCTIONS, enqueue_task, queue_name

log = logging.getLogger("mailroom.reconcile")
STALE_AFTER = timedelta(minutes=2)


async def reconcile_tasks(ctx: dict[str, Any]) -> int:
    """Re-enqueue QUEUED tasks a while old and RUNNING tasks whose lease expired."""
    now = datetime.now(UTC)
    stale = await Task.filter(
        Q(status=TaskStatus.QUEUED, created_at__lt=now - STALE_AFTER)
        | Q(status=TaskStatus.RUNNING, started_at__lt=now - LEASE),
        kind__in=list(JOB_FUNCTIONS),
    ).limit(500)
    requeued = 0
    for task in stale:
        if await _requeue(ctx["redis"], task):
            requeued += 1
    if requeued:
        log.info("requeued tasks", extra={"fields": {"count": requeued}})
    return requeued


async def _requeue(redis: ArqRedis, task: Task) -> bool:
    if await enqueue_task(redis, task):
        return True
    # arq refuses a job id it still holds a result for. A job that finished
    # without finishing its task (it found the task held by a worker that then
    # died) is done for arq: forget that result so the task can run again.
    job = Job(str(task.id), redis, _queue_name=queue_name())
    if await job.status() in (JobStatus.complete, JobStatus.not_found):
        await redis.delete(result_key_prefix + str(task.id))
        return await enqueue_task(redis, task)
    return False  # queued, deferred or running: it will run


async def purge_expired_tasks(ctx: dict[str, Any]) -> int:
    """Delete finished tasks past their expiresAt (their emails stay)."""
    deleted = await Task.filter(
        status__in=list(FINISHED), expires_at__lt=datetime.now(UTC)
    ).delete()
    if deleted:
        log.info("purged tasks", extra={"fields": {"count": deleted}})
    return deleted
