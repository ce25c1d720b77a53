"""createInbox: an address of a queue that mail is imported for."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.inboxes.mutations.common import InboxResult, InboxSettingsInput
from app.graphql.inboxes.types import Inbox
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin
from app.inboxes import service as inboxes


@strawberry.input
class CreateInboxInput(InboxSettingsInput):
    queue: strawberry.ID
    email: str


@strawberry.type
class CreateInbox:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_inbox(self, info: Info, input: CreateInboxInput) -> InboxResult:
        row = await inboxes.create_inbox(
            organization_id=info.context.organization_id,
            queue_id=decode_or_not_found(input.queue, "Queue", field="queue"),
            email=input.email,
            **input.values(),
        )
        return Inbox.from_model(row)
