"""Task: the database row a client polls for a slow action run as an arq job."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class TaskKind(StrEnum):
    IMPORT_EMAIL = "IMPORT_EMAIL"
    SEND_EMAIL = "SEND_EMAIL"
    DISMISS_EMAIL = "DISMISS_EMAIL"
    ATTACH_EMAIL = "ATTACH_EMAIL"


class TaskStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


FINISHED = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED})


# Finished tasks are kept this long for polling, then purged (see tasks.reconcile).
RETENTION = timedelta(days=7)


class Task(Model):
    # A UUID, because it is also the arq job id, which must be unique per Redis.
    id = fields.UUIDField(primary_key=True)
    # Typed as plain Model: tasks sits below the capabilities it serves.
    organization: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Organization", related_name="tasks", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TaskKind, max_length=32)
    status = fields.CharEnumField(TaskStatus, max_length=16, default=TaskStatus.QUEUED)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    # While RUNNING: until when the worker holding it is presumed alive (renewed by
    # the job's heartbeat); attempts, bumped by each claim, tells its holder apart.
    lease_until = fields.DatetimeField(null=True)
    # Runs that ended without an outcome (worker killed, job cancelled or timed
    # out): past TASK_MAX_INTERRUPTIONS the task fails instead of running again.
    interruptions = fields.IntField(default=0, db_default=0)
    error_code = fields.CharField(max_length=40, null=True)
    error_message = fields.TextField(null=True)
    email: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Email", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    creator: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    # What the job needs: ids and options; for sends, the rendered bodies (the Email
    # keeps only 4 kB of each). Raw messages and attachments stay in the blob store.
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=200, null=True)

    organization_id: int
    email_id: int | None
    creator_id: int | None

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = datetime.now(UTC) + RETENTION
        await super().save(*args, **kwargs)

    class Meta:
        table = "task"
        indexes = (
            ("organization_id", "created_at", "id"),
            ("status", "created_at"),
        )
        # One task per idempotency key (NULL keys never collide).
        unique_together = (("organization_id", "kind", "idempotency_key"),)
