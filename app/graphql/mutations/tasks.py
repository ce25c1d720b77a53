"""cancelTask."""

import uuid
from typing import Annotated

import strawberry

from app.accounts.models import Role
from app.core import ids
from app.core.errors import NotFound
from app.graphql.context import Info
from app.graphql.mutations.base import as_result
from app.graphql.types.common import InputError
from app.graphql.types.tasks import Task
from app.outbox.cancel import release_send
from app.tasks import service

CancelTaskResult = Annotated[Task | InputError, strawberry.union("CancelTaskResult")]


@strawberry.type
class TaskMutations:
    @strawberry.mutation(description="Cancel a task no worker has started (QUEUED).")
    async def cancel_task(self, info: Info, id: strawberry.ID) -> CancelTaskResult:
        info.context.require(Role.ANNOTATOR)

        async def work() -> Task:
            task_id = ids.decode(id, "Task")
            if not isinstance(task_id, uuid.UUID):
                raise NotFound("No such task.", field="id")
            row = await service.cancel_task(
                organization_id=info.context.organization_id,
                task_id=task_id,
                on_cancelled=release_send,
            )
            return Task.from_model(row)

        return await as_result(work())
