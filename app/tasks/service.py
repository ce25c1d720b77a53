"""Task verbs: the one way to start work (`submit`), and cancelling it.

Habit: the Task row is the handle. It is committed first, then its job is enqueued
with `_job_id` = the task id; the job re-reads the row and writes its own status.
"""

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from arq.connections import ArqRedis
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.core.errors import Conflict, InvalidInput, NotFound, is_outage
from app.core.limits import limits
from app.tasks.announce import announce_finished
from app.tasks.models import Task, TaskKind, TaskStatus
from app.tasks.queue import enqueue_task
from app.webhooks.jobs import enqueue_deliveries

log = logging.getLogger("mailroom.tasks")


async def new_task(
    *,
    kind: TaskKind,
    organization_id: int,
    creator_id: int | None = None,
    email_id: int | None = None,
    payload: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Task:
    """The Task row alone, inside the caller's transaction: for follow-ups a job
    creates with its own writes and that the job skeleton enqueues after commit."""
    return await Task.create(
        organization_id=organization_id,
        kind=kind,
        creator_id=creator_id,
        email_id=email_id,
        payload=payload or {},
        idempotency_key=idempotency_key,
    )


async def submit(
    redis: ArqRedis,
    *,
    kind: TaskKind,
    organization_id: int,
    creator_id: int | None = None,
    payload: dict[str, Any] | None = None,
    email_id: int | None = None,
    idempotency_key: str | None = None,
    defer_until: datetime | None = None,
    prepare: Callable[[], Awaitable[int | None]] | None = None,
) -> Task:
    """Create a task and enqueue its job; the task a client polls.

    `prepare` writes what the task acts on in the same transaction as the row (the
    outgoing email of a send) and returns that email's id. The same
    `idempotency_key` for the same kind and organization answers the first task,
    also when two requests race (the unique key decides, the loser reads)."""
    if idempotency_key is not None and not (
        0 < len(idempotency_key) <= limits().idempotency_key_chars
    ):
        raise InvalidInput(
            f"idempotencyKey must be 1 to {limits().idempotency_key_chars} characters.",
            field="idempotencyKey",
        )

    async def earlier() -> Task | None:
        return await task_for_key(
            organization_id=organization_id, kind=kind, idempotency_key=idempotency_key
        )

    if (first := await earlier()) is not None:
        return first
    try:
        async with in_transaction():
            if prepare is not None:
                email_id = await prepare()
            task = await new_task(
                kind=kind,
                organization_id=organization_id,
                creator_id=creator_id,
                email_id=email_id,
                payload=payload,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        if (first := await earlier()) is None:
            raise
        return first
    await enqueue_committed(redis, task, defer_until=defer_until)
    return task


async def enqueue_committed(
    redis: ArqRedis, task: Task, *, defer_until: datetime | None = None
) -> None:
    """Enqueue the job of a committed task; while Redis is away, leave it to the
    reconciler (answering 503 would invite a retry that does the work twice)."""
    try:
        await enqueue_task(redis, task, defer_until=defer_until)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning(
            "task committed, enqueue deferred to the reconciler",
            extra={"fields": {"task": str(task.id), "error": type(exc).__name__}},
        )


async def task_for_key(
    *, organization_id: int, kind: TaskKind, idempotency_key: str | None
) -> Task | None:
    """The task an idempotency key already started, if any."""
    if not idempotency_key:
        return None
    return await Task.get_or_none(
        organization_id=organization_id, kind=kind, idempotency_key=idempotency_key
    )


async def cancel_task(
    redis: ArqRedis | None,
    *,
    organization_id: int,
    task_id: uuid.UUID,
    on_cancelled: Callable[[Task], Awaitable[None]] | None = None,
) -> Task:
    """Cancel a task that no worker has started; one conditional update, so a
    worker claiming it at the same moment either wins or sees CANCELLED.
    `on_cancelled` lets the capability that owns the task undo what waits on it.
    A cancelled task is finished: TASK_FINISHED goes to webhooks (through `redis`,
    else the delivery reconciler)."""
    now = datetime.now(UTC)
    async with in_transaction():
        changed = await Task.filter(
            id=task_id, organization_id=organization_id, status=TaskStatus.QUEUED
        ).update(status=TaskStatus.CANCELLED, finished_at=now)
        task = await Task.get_or_none(id=task_id, organization_id=organization_id)
        announced = await announce_finished(task) if changed and task else []
    if announced and redis is not None:
        await enqueue_deliveries(redis, announced)
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
