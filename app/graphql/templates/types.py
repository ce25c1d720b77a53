"""EmailTemplate: the subject and message a sent email (or a rejection) starts from."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.graphql.common import FromModel
from app.graphql.context import Info
from app.graphql.enums import TemplateTypeEnum
from app.graphql.inboxes.types import Queue


@strawberry.type
class EmailTemplateStats:
    times_used: int
    last_used_at: datetime | None


@strawberry.type
class EmailTemplate(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    type: TemplateTypeEnum  # type: ignore[valid-type]
    subject: str
    message: str = strawberry.field(description="HTML (safe subset) with placeholders.")
    created_at: datetime
    modified_at: datetime
    queue_id: strawberry.Private[int | None]
    times_used: strawberry.Private[int]
    last_used_at: strawberry.Private[datetime | None]

    @strawberry.field
    def stats(self) -> EmailTemplateStats:
        return EmailTemplateStats(
            times_used=self.times_used, last_used_at=self.last_used_at
        )

    @strawberry.field
    async def queue(self, info: Info) -> Queue | None:
        return await Queue.load(info.context.loaders.queues_by_id, self.queue_id)
