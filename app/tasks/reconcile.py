"""Reconciler: puts back on the queue tasks whose job was lost (worker died, Redis
flushed). Tasks are the source of truth; the arq job id is the task id, so a job
still queued or running is never duplicated.

It runs every RECONCILE_SECONDS (app.worker), so with a 30 s lease a task whose
worker died runs again within a minute.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, result_key_prefix
from arq.jobs import Job, JobStatus
from tortoise.expressions import Q

from app.tasks.lifecycle import lapsed
from app.tasks.models import FINISHED, Task, TaskStatus
from app.tasks.queue import JOB_FUNCTIONS, enqueue_task, queue_name

log = logging.getLogger("mailroom.reconcile")
# A QUEUED task this old whose job is not in arq's queue lost it (a job that is
# merely waiting there is left alone: enqueueing its id again is a no-op).
STALE_AFTER = timedelta(seconds=30)
RECONCILE_SECONDS = 15
PAGE = 500


async def reconcile_tasks(ctx: dict[str, Any]) -> int:
    """Re-enqueue QUEUED tasks a while old and RUNNING tasks whose lease expired.

    Every candidate is looked at, page by page in a fixed order: most are jobs
    merely waiting in arq (sends scheduled for later), and a lost job behind a
    first page of those must not wait for ever."""
    now = datetime.now(UTC)
    candidates = Task.filter(
        Q(status=TaskStatus.QUEUED, created_at__lt=now - STALE_AFTER) | lapsed(now),
        kind__in=list(JOB_FUNCTIONS),
    ).order_by("id")
    requeued = 0
    after: Any = None
    while page := await (
        candidates.filter(id__gt=after) if after else candidates
    ).limit(PAGE):
        for task in page:
            if await _release(ctx["redis"], task) or await _requeue(ctx["redis"], task):
                requeued += 1
        after = page[-1].id
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


async def _release(redis: ArqRedis, task: Task) -> bool:
    """A task nobody holds (its lease lapsed, or it is QUEUED a while) whose job
    arq still counts in progress: the worker died (SIGKILL, a lost host) after
    taking the job, before or while running it, and its in-progress key would
    block the job for job_timeout + 10 s. The task says the run is over: drop the
    key, so the job, still in the queue, runs again at once. Should a live worker
    have just taken it, the claim is one conditional update: one run proceeds."""
    job = Job(str(task.id), redis, _queue_name=queue_name())
    if await job.status() is not JobStatus.in_progress:
        return False
    if await redis.zscore(queue_name(), str(task.id)) is None:
        return False
    return bool(await redis.delete(in_progress_key_prefix + str(task.id)))


async def purge_expired_tasks(ctx: dict[str, Any]) -> int:
    """Delete finished tasks past their expiresAt (their emails stay)."""
    deleted = await Task.filter(
        status__in=list(FINISHED), expires_at__lt=datetime.now(UTC)
    ).delete()
    if deleted:
        log.info("purged tasks", extra={"fields": {"count": deleted}})
    return deleted
