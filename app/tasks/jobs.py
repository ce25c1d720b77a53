"""The one job skeleton every arq job uses: claim -> work -> finish (and its
TASK_FINISHED webhook event) -> follow-ups and webhook deliveries -> one log line.

Jobs may run more than once (arq retries, the reconciler re-enqueues), so the task
is claimed with one conditional update and `work` must be idempotent. `work` says
how the task ends with an `Outcome`, or raises: a `MailroomError` fails the task
with its code; arq's `Retry` hands the task back (QUEUED) for the later run; any
other exception fails it as INTERNAL_ERROR and is logged with its traceback.

While `work` runs, a heartbeat renews the task's lease every third of it (see
lifecycle), so a task outlives its lease only when its worker died. A cancelled job
(the worker stopping after its grace period, arq's job timeout) hands its task back
at once and re-raises; a run whose heartbeat finds the task taken over by another
worker, or cannot renew the lease before it lapses, is cancelled and ends as "lost".

A task interrupted TASK_MAX_INTERRUPTIONS times (a message that kills or hangs
every worker that takes it) is not run again: it fails, and the job's `abandon`
settles what the task was about (a send's email) the same way.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from arq import Retry
from tortoise.transactions import in_transaction

from app.core import logs
from app.core.errors import ErrorCode, MailroomError, is_outage
from app.core.metrics import JOB_SECONDS, JOBS, label
from app.settings import get_settings
from app.tasks import lifecycle
from app.tasks.announce import announce_finished
from app.tasks.models import Task, TaskStatus
from app.tasks.queue import enqueue_task
from app.webhooks.events import one_lookup
from app.webhooks.jobs import enqueue_deliveries

log = logging.getLogger("mailroom.jobs")

Work = Callable[[Task], Awaitable["Outcome"]]
# A job whose work met a database or Redis outage runs again this much later.
OUTAGE_RETRY_SECONDS = 5
Abandon = Callable[[Task, str], Awaitable["Outcome"]]


@dataclass
class Outcome:
    """How a task ends. `result` is one word for the log and arq's job result."""

    result: str
    status: TaskStatus = TaskStatus.SUCCEEDED
    email_id: int | None = None
    error: tuple[ErrorCode, str] | None = None
    follow_ups: list[Task] = field(default_factory=list)
    # Webhook deliveries the work created with its writes (EMAIL_SENT...).
    deliveries: list[int] = field(default_factory=list)

    @classmethod
    def failed(
        cls,
        code: ErrorCode,
        message: str,
        *,
        email_id: int | None,
        result: str = "",
        deliveries: list[int] | None = None,
    ) -> "Outcome":
        return cls(
            result or "failed",
            TaskStatus.FAILED,
            email_id=email_id,
            error=(code, message),
            deliveries=deliveries or [],
        )

    @classmethod
    def cancelled(cls) -> "Outcome":
        return cls("cancelled", TaskStatus.CANCELLED)


class JobFailed(MailroomError):
    """Raised by work: the task FAILED with this code and message."""


async def _finish(task: Task, outcome: Outcome) -> list[int]:
    """Settle the task; with it, TASK_FINISHED (the deliveries to enqueue)."""
    async with in_transaction():
        if outcome.status is TaskStatus.SUCCEEDED:
            settled = await lifecycle.succeed(task, email_id=outcome.email_id)
        elif outcome.status is TaskStatus.CANCELLED:
            settled = await lifecycle.cancelled(task)
        else:
            code, message = outcome.error or (ErrorCode.INTERNAL_ERROR, "failed")
            settled = await lifecycle.fail(
                task, code, message, email_id=outcome.email_id
            )
        return await announce_finished(task) if settled else []


def task_job(
    name: str, work: Work, *, abandon: Abandon | None = None
) -> Callable[[dict[str, Any], str], Awaitable[str]]:
    """The arq function `name` running `work` for one task id."""

    async def job(ctx: dict[str, Any], task_id: str) -> str:
        task = await lifecycle.claim(task_id)
        if task is None:
            return "skipped"  # finished, cancelled, or held by a live worker
        # Every line logged while the job runs names its task and organization;
        # its events (its work's, TASK_FINISHED) look the webhooks up once.
        with (
            logs.bound(
                task_id=str(task.id),
                kind=task.kind.value,
                organization_id=task.organization_id,
            ),
            one_lookup(),
        ):
            return await _job(ctx, task, work, abandon)

    job.__name__ = job.__qualname__ = name
    return job


async def _job(
    ctx: dict[str, Any], task: Task, work: Work, abandon: Abandon | None
) -> str:
    """claim is done: work -> finish -> follow-ups -> the job line."""
    start = time.perf_counter()
    if task.interruptions >= get_settings().task_max_interruptions:
        outcome = await _give_up(task, abandon)
    else:
        ran = await _run(task, work, start)
        if ran is None:
            return "lost"  # another worker holds the task now
        outcome = ran
    announced = await _finish(task, outcome)
    if "redis" in ctx:
        # Without Redis at hand the reconcilers enqueue them a little later.
        if outcome.status is TaskStatus.SUCCEEDED:
            for follow_up in outcome.follow_ups:
                await enqueue_task(ctx["redis"], follow_up)
        await enqueue_deliveries(ctx["redis"], outcome.deliveries + announced)
    _log(task, outcome.result, start, email=outcome.email_id, error=outcome.error)
    return outcome.result


async def _run(task: Task, work: Work, start: float) -> Outcome | None:
    """`work` under the heartbeat; None when the run lost its task."""
    heartbeat = _Heartbeat(task)
    try:
        async with heartbeat:
            return await work(task)
    except asyncio.CancelledError:
        if heartbeat.lost and heartbeat.uncancel():
            _log(task, "lost", start)
            return None
        await lifecycle.requeue(task, interrupted=True)
        _log(task, "handed back", start)
        raise
    except Retry:
        await lifecycle.requeue(task)
        _log(task, "retrying", start)
        raise
    except Exception as exc:
        if is_outage(exc):
            return await _outage(task, exc, start)
        if isinstance(exc, MailroomError):
            return Outcome.failed(exc.code, exc.message, email_id=None)
        log.exception("job crashed")
        return Outcome.failed(
            ErrorCode.INTERNAL_ERROR, "The job failed unexpectedly.", email_id=None
        )


async def _outage(task: Task, exc: Exception, start: float) -> Outcome:
    """The database or Redis went away under `work`: not the task's fault, so it
    is handed back and run again shortly (arq's Retry) instead of FAILED. Should
    the hand-back fail too (the database is still away), the task keeps its
    lease, which lapses, and the reconciler brings it back."""
    log.warning(
        "job hit an outage; retrying",
        extra={"fields": {"error": f"{type(exc).__name__}: {exc}"[:300]}},
    )
    try:
        await lifecycle.requeue(task)
    except Exception:
        pass  # the lease lapses instead
    _log(task, "outage", start)
    raise Retry(defer=OUTAGE_RETRY_SECONDS) from exc


async def _give_up(task: Task, abandon: Abandon | None) -> Outcome:
    message = (
        f"The job was interrupted {task.interruptions} times (its worker was killed, "
        "or it was cancelled or timed out); it is not run again."
    )
    if abandon is not None:
        return await abandon(task, message)
    return Outcome.failed(
        ErrorCode.INTERNAL_ERROR, message, email_id=None, result="given up"
    )


class _Heartbeat:
    """Around `work`: renews the task's lease every third of it; cancels the work
    if the task is no longer this run's."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.lost = False
        self._job: asyncio.Task[Any] | None = None
        self._beat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
        self._job = asyncio.current_task()
        self._beat = asyncio.create_task(self._run(), name=f"lease:{self.task.id}")

    async def __aexit__(self, *exc: object) -> None:
        if self._beat is not None:
            self._beat.cancel()
            # wait() never raises the beat's CancelledError, only this task's own
            await asyncio.wait([self._beat])

    def uncancel(self) -> bool:
        """Swallow the cancellation this heartbeat asked for; False if someone
        else (the worker, arq's timeout) cancelled the job too."""
        return self._job is not None and self._job.uncancel() == 0

    async def _run(self) -> None:
        lease = lifecycle.lease().total_seconds()
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(lease / 3)
            try:
                held = await lifecycle.renew(self.task)
            except Exception:  # the database is away: try again next beat
                held = time.monotonic() - renewed < lease
                log.warning("lease not renewed", exc_info=True)
            else:
                renewed = time.monotonic()
            if not held:
                # Taken over, or the lease lapsed unrenewed: another worker may
                # take the task now, so this run must stop.
                self.lost = True
                log.warning("task lost")
                if self._job is not None:
                    self._job.cancel()
                return


def _log(task: Task, result: str, start: float, **extra: Any) -> None:
    """The job line (task_id and kind come from the context) and its metrics."""
    elapsed = time.perf_counter() - start
    JOBS.labels(task.kind.value, label(result)).inc()
    JOB_SECONDS.labels(task.kind.value).observe(elapsed)
    fields: dict[str, Any] = {"result": result, "ms": round(elapsed * 1000, 1)}
    if extra.get("email") is not None:
        fields["email"] = extra["email"]
    if extra.get("error") is not None:
        fields["code"] = extra["error"][0].value
    log.info("job", extra={"fields": fields})
