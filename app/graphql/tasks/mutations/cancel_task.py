"""cancelTask: a QUEUED task never runs; a cancelled send frees its email."""

import uuid
from typing import Annotated

import strawberry

from app.core import ids
from app.core.errors import NotFound
from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, input_id
from app.graphql.permissions import IsAnnotator
from app.graphql.tasks.types import Task
from app.outbox.cancel import release_send
from app.tasks import service

CancelTaskResult = Annotated[Task | InputError, strawberry.union("CancelTaskResult")]


@strawberry.input
class CancelTaskInput:
    id: strawberry.ID


@strawberry.type
class CancelTask:
    @strawberry.mutation(
        description="Cancel a task no worker has started (QUEUED).",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def cancel_task(
        self,
        info: Info,
        input: CancelTaskInput | None = None,
        id: DeprecatedId = None,
    ) -> CancelTaskResult:
        task_id = ids.decode(input_id(input, id), "Task")
        if not isinstance(task_id, uuid.UUID):
            raise NotFound("No such task.", field="id")
        row = await service.cancel_task(
            info.context.redis,
            organization_id=info.context.organization_id,
            task_id=task_id,
            on_cancelled=release_send,
        )
        return Task.from_model(row)
