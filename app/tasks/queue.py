"""Enqueue a task's job with `_job_id` = task id, after the task row is committed."""

from datetime import datetime

from arq.connections import ArqRedis

from app.settings import get_settings
from app.tasks.models import Task, TaskKind

# The arq function (registered in app.worker) that runs each task kind.
JOB_FUNCTIONS: dict[TaskKind, str] = {
    TaskKind.IMPORT_EMAIL: "import_email_job",
    TaskKind.SEND_EMAIL: "send_email_job",
    TaskKind.DISMISS_EMAIL: "dismiss_email_job",
    TaskKind.ATTACH_EMAIL: "attach_email_job",
}


def queue_name() -> str:
    return f"{get_settings().redis_key_prefix}:queue"


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
