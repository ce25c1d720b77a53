"""updateInbox: its settings, or move it to another queue (null leaves a value)."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.inboxes.mutations.common import InboxResult, InboxSettingsInput
from app.graphql.inboxes.types import Inbox
from app.graphql.input_ids import decode_or_not_found, optional_pk
from app.graphql.permissions import IsAdmin
from app.inboxes import service as inboxes


@strawberry.input
class UpdateInboxInput(InboxSettingsInput):
    id: strawberry.ID
    queue: strawberry.ID | None = None


@strawberry.type
class UpdateInbox:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_inbox(self, info: Info, input: UpdateInboxInput) -> InboxResult:
        queue_id = optional_pk(input.queue, "Queue", field="queue")
        row = await inboxes.update_inbox(
            organization_id=info.context.organization_id,
            inbox_id=decode_or_not_found(input.id, "Inbox", field="id"),
            queue_id=queue_id,
            **input.values(),
        )
        return Inbox.from_model(row)
