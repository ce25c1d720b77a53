"""createQueue."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.inboxes.mutations.common import QueueResult
from app.graphql.inboxes.types import Queue
from app.graphql.permissions import IsAdmin
from app.inboxes import service as inboxes


@strawberry.input
class CreateQueueInput:
    name: str


@strawberry.type
class CreateQueue:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_queue(self, info: Info, input: CreateQueueInput) -> QueueResult:
        row = await inboxes.create_queue(
            organization_id=info.context.organization_id, name=input.name
        )
        return Queue.from_model(row)
