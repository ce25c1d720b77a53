"""Document and Annotation."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from app.core.urls import document_content_url
from app.documents.models import Annotation as AnnotationModel
from app.documents.models import Document as DocumentModel
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.types.accounts import User, load_user
from app.graphql.types.common import JSON, FromModel
from app.graphql.types.inboxes import Queue, load_queue

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
        from app.graphql.types.mail import load_email

        return await load_email(info, self.email_id)

    @strawberry.field
    async def annotations(self, info: Info) -> list["Annotation"]:
        rows = await info.context.loaders.many_by(AnnotationModel, "document_id").load(
            self.id
        )
        return [Annotation.from_model(r) for r in rows]

    @strawberry.field(description="Authenticated download of the document's bytes.")
    def content_url(self) -> str:
        return document_content_url(self.id)


async def load_document(info: Info, document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    row = await info.context.loaders.by_id(DocumentModel).load(document_id)
    return Document.from_optional(row)


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
        return await load_document(info, self.document_id)

    @strawberry.field
    async def queue(self, info: Info) -> Queue | None:
        return await load_queue(info, self.queue_id)

    @strawberry.field(description="The email the document arrived with.")
    async def email(self, info: Info) -> EmailRef | None:
        from app.graphql.types.mail import load_email

        return await load_email(info, self.email_id)

    @strawberry.field
    async def email_thread(self, info: Info) -> EmailThreadRef | None:
        from app.graphql.types.mail import load_thread

        return await load_thread(info, self.email_thread_id)

    @strawberry.field(
        description="Emails this annotation was related to (replies, attach)."
    )
    async def related_emails(self, info: Info) -> list[EmailRef]:
        from app.graphql.types.mail import Email

        rows = await info.context.loaders.related_emails_by_annotation().load(self.id)
        return [Email.from_model(r) for r in rows]

    @strawberry.field
    async def assignee(self, info: Info) -> User | None:
        return await load_user(info, self.assignee_id)
