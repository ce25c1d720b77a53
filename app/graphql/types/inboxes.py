"""Queue and Inbox."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.graphql.context import Info
from app.graphql.types.common import FromModel
from app.inboxes.models import Inbox as InboxModel
from app.inboxes.models import Queue as QueueModel


@strawberry.type
class Queue(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    created_at: datetime

    @strawberry.field
    async def inboxes(self, info: Info) -> list["Inbox"]:
        rows = await info.context.loaders.many_by(InboxModel, "queue_id").load(self.id)
        return [Inbox.from_model(r) for r in rows]


async def load_queue(info: Info, queue_id: int | None) -> Queue | None:
    if queue_id is None:
        return None
    return Queue.from_optional(
        await info.context.loaders.by_id(QueueModel).load(queue_id)
    )


@strawberry.type
class Inbox(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    email: str = strawberry.field(description="The address mail is imported for.")
    accepted_mime_types: list[str] = strawberry.field(
        description='Accepted types ("application/pdf", "image/*"); empty = all.'
    )
    min_image_bytes: int = strawberry.field(
        description="Images smaller than this are filtered out, not made documents."
    )
    reject_without_documents: bool
    allowed_sender_patterns: list[str] = strawberry.field(
        description="Shell-style patterns of accepted sender addresses; empty = anyone."
    )
    created_at: datetime
    queue_id: strawberry.Private[int]

    @strawberry.field
    async def queue(self, info: Info) -> Queue | None:
        return await load_queue(info, self.queue_id)


async def load_inbox(info: Info, inbox_id: int | None) -> Inbox | None:
    if inbox_id is None:
        return None
    return Inbox.from_optional(
        await info.context.loaders.by_id(InboxModel).load(inbox_id)
    )
