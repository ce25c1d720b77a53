"""Enqueue a task's job with `_job_id` = task id, after the task row is committed."""

from datetime import datetime

from arq.connections import ArqRedis

from app.core.redis import queue_name
from app.tasks.models import Task, TaskKind

__all__ = ["JOB_FUNCTIONS", "enqueue_task", "queue_name"]

# The arq function (registered in app.worker) that runs each task kind.
JOB_FUNCTIONS: dict[TaskKind, str] = {
    TaskKind.IMPORT_EMAIL: "import_email_job",
    TaskKind.SEND_EMAIL: "send_email_job",
    TaskKind.DISMISS_EMAIL: "dismiss_email_job",
    TaskKind.ATTACH_EMAIL: "attach_email_job",
}


async def enqueue_task(
    redis: ArqRedis, task: Task, *, defer_until: datetime | None = None
) -> bool:
    """True if a job was enqueued; False if one with this id is already known."""
    job = await redis.enqueue_job(
        JOB_FUNCTIONS[task.kind],
        str(task.id),
        _job_id=str(task.id),
        _queue_name=queue_name(),
        _defer_until=defer_until,
    )
    return job is not None
