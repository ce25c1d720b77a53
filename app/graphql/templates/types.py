"""EmailTemplate: the subject and message a sent email (or a rejection) starts from."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.documents.models import AnnotationStatus
from app.graphql.common import FromModel
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum, TemplateTypeEnum
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
    enabled: bool = strawberry.field(
        description="AUTOMATIC_STATUS_CHANGED_INFO: whether it is sent by itself."
    )
    created_at: datetime
    modified_at: datetime
    trigger_statuses: strawberry.Private[list[str]]
    queue_id: strawberry.Private[int | None]
    times_used: strawberry.Private[int]
    last_used_at: strawberry.Private[datetime | None]

    @strawberry.field
    def stats(self) -> EmailTemplateStats:
        return EmailTemplateStats(
            times_used=self.times_used, last_used_at=self.last_used_at
        )

    @strawberry.field(
        name="triggerStatuses",
        description="AUTOMATIC_STATUS_CHANGED_INFO: the statuses that send it.",
    )
    def trigger_statuses_(self) -> list[AnnotationStatusEnum]:  # type: ignore[valid-type]
        return [AnnotationStatus(s) for s in self.trigger_statuses]

    @strawberry.field
    async def queue(self, info: Info) -> Queue | None:
        return await Queue.load(info.context.loaders.queues_by_id, self.queue_id)
