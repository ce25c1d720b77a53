"""Queue and Inbox: where imported mail lands, and which addresses feed it."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.graphql.common import FromModel
from app.graphql.context import Info


@strawberry.type
class Queue(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    created_at: datetime

    @strawberry.field
    async def inboxes(self, info: Info) -> list["Inbox"]:
        return await Inbox.load_list(info.context.loaders.inboxes_by_queue, self.id)


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
        return await Queue.load(info.context.loaders.queues_by_id, self.queue_id)
