"""The one job skeleton every arq job uses: claim -> work -> finish -> follow-ups
-> one log line.

Jobs may run more than once (arq retries, the reconciler re-enqueues), so the task
is claimed with one conditional update and `work` must be idempotent. `work` says
how the task ends with an `Outcome`, or raises: a `MailroomError` fails the task
with its code; arq's `Retry` hands the task back (QUEUED) for the later run; any
other exception fails it as INTERNAL_ERROR and is logged with its traceback.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from arq import Retry

from app.core.errors import ErrorCode, MailroomError
from app.tasks import lifecycle
from app.tasks.models import Task, TaskStatus
from app.tasks.queue import enqueue_task

log = logging.getLogger("mailroom.jobs")

Work = Callable[[Task], Awaitable["Outcome"]]


@dataclass
class Outcome:
    """How a task ends. `result` is one word for the log and arq's job result."""

    result: str
    status: TaskStatus = TaskStatus.SUCCEEDED
    email_id: int | None = None
    error: tuple[ErrorCode, str] | None = None
    follow_ups: list[Task] = field(default_factory=list)

    @classmethod
    def failed(
        cls, code: ErrorCode, message: str, *, email_id: int | None, result: str = ""
    ) -> "Outcome":
        return cls(
            result or "failed",
            TaskStatus.FAILED,
            email_id=email_id,
            error=(code, message),
        )

    @classmethod
    def cancelled(cls) -> "Outcome":
        return cls("cancelled", TaskStatus.CANCELLED)


class JobFailed(MailroomError):
    """Raised by work: the task FAILED with this code and message."""


async def _finish(task: Task, outcome: Outcome) -> None:
    if outcome.status is TaskStatus.SUCCEEDED:
        await lifecycle.succeed(task, email_id=outcome.email_id)
    elif outcome.status is TaskStatus.CANCELLED:
        await lifecycle.cancelled(task)
    else:
        code, message = outcome.error or (ErrorCode.INTERNAL_ERROR, "failed")
        await lifecycle.fail(task, code, message, email_id=outcome.email_id)


def task_job(name: str, work: Work) -> Callable[[dict[str, Any], str], Awaitable[str]]:
    """The arq function `name` running `work` for one task id."""

    async def job(ctx: dict[str, Any], task_id: str) -> str:
        task = await lifecycle.claim(task_id)
        if task is None:
            return "skipped"  # finished, cancelled, or held by a live worker
        start = time.perf_counter()
        try:
            outcome = await work(task)
        except Retry:
            await lifecycle.requeue(task)
            _log(task, "retrying", start)
            raise
        except MailroomError as exc:
            outcome = Outcome.failed(exc.code, exc.message, email_id=None)
        except Exception:
            log.exception("job crashed", extra={"fields": {"task": task_id}})
            outcome = Outcome.failed(
                ErrorCode.INTERNAL_ERROR,
                "The job failed unexpectedly.",
                email_id=None,
            )
        await _finish(task, outcome)
        if outcome.status is TaskStatus.SUCCEEDED and "redis" in ctx:
            # Without Redis at hand the reconciler enqueues them a little later.
            for follow_up in outcome.follow_ups:
                await enqueue_task(ctx["redis"], follow_up)
        _log(task, outcome.result, start, email=outcome.email_id, error=outcome.error)
        return outcome.result

    job.__name__ = job.__qualname__ = name
    return job


def _log(task: Task, result: str, start: float, **extra: Any) -> None:
    fields = {
        "task": str(task.id),
        "kind": task.kind.value,
        "result": result,
        "ms": round((time.perf_counter() - start) * 1000, 1),
    }
    if extra.get("email") is not None:
        fields["email"] = extra["email"]
    if extra.get("error") is not None:
        fields["code"] = extra["error"][0].value
    log.info("job", extra={"fields": fields})
