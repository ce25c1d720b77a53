"""updateQueue: rename it (null leaves the name)."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.inboxes.mutations.common import QueueResult
from app.graphql.inboxes.types import Queue
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin
from app.inboxes import service as inboxes


@strawberry.input
class UpdateQueueInput:
    id: strawberry.ID
    name: str | None = None


@strawberry.type
class UpdateQueue:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_queue(self, info: Info, input: UpdateQueueInput) -> QueueResult:
        row = await inboxes.update_queue(
            organization_id=info.context.organization_id,
            queue_id=decode_or_not_found(input.id, "Queue", field="id"),
            name=input.name,
        )
        return Queue.from_model(row)
