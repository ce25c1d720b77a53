"""Document and Annotation."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from app.core.urls import document_content_url
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.types.accounts import User
from app.graphql.types.common import JSON, FromModel
from app.graphql.types.inboxes import Queue

if TYPE_CHECKING:
    from app.graphql.types.mail import Email, EmailThread

EmailRef = Annotated["Email", strawberry.lazy("app.graphql.types.mail")]
EmailThreadRef = Annotated["EmailThread", strawberry.lazy("app.graphql.types.mail")]


@strawberry.type
class Document(relay.Node, FromModel):
    id: relay.NodeID[int]
    original_file_name: str
    mime_type: str = strawberry.field(
        description="Sniffed from the bytes, not the header."
    )
    size: int
    sha256: str
    metadata: JSON
    created_at: datetime
    email_id: strawberry.Private[int | None]

    @strawberry.field(description="The email it arrived with.")
    async def email(self, info: Info) -> EmailRef | None:
        from app.graphql.types.mail import Email

        return await Email.load(info.context.loaders.emails_by_id, self.email_id)

    @strawberry.field
    async def annotations(self, info: Info) -> list["Annotation"]:
        loader = info.context.loaders.annotations_by_document
        return await Annotation.load_list(loader, self.id)

    @strawberry.field(description="Authenticated download of the document's bytes.")
    def content_url(self) -> str:
        return document_content_url(self.id)


@strawberry.type
class Annotation(relay.Node, FromModel):
    id: relay.NodeID[int]
    status: AnnotationStatusEnum  # type: ignore[valid-type]
    metadata: JSON
    values: JSON
    created_at: datetime
    modified_at: datetime
    document_id: strawberry.Private[int | None]
    queue_id: strawberry.Private[int]
    email_id: strawberry.Private[int | None]
    email_thread_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]

    @strawberry.field
    async def document(self, info: Info) -> Document | None:
        return await Document.load(
            info.context.loaders.documents_by_id, self.document_id
        )

    @strawberry.field
    async def queue(self, info: Info) -> Queue | None:
        return await Queue.load(info.context.loaders.queues_by_id, self.queue_id)

    @strawberry.field(description="The email the document arrived with.")
    async def email(self, info: Info) -> EmailRef | None:
        from app.graphql.types.mail import Email

        return await Email.load(info.context.loaders.emails_by_id, self.email_id)

    @strawberry.field
    async def email_thread(self, info: Info) -> EmailThreadRef | None:
        from app.graphql.types.mail import EmailThread

        loader = info.context.loaders.email_threads_by_id
        return await EmailThread.load(loader, self.email_thread_id)

    @strawberry.field(
        description="Emails this annotation was related to (replies, attach)."
    )
    async def related_emails(self, info: Info) -> list[EmailRef]:
        from app.graphql.types.mail import Email

        loader = info.context.loaders.related_emails_by_annotation
        return await Email.load_list(loader, self.id)

    @strawberry.field
    async def assignee(self, info: Info) -> User | None:
        return await User.load(info.context.loaders.users_by_id, self.assignee_id)
