"""Document and Annotation: what the import extracted from an email, and its review.

app.mail sits above app.documents, and so do their GraphQL types: mail/types.py
imports these, while the fields here that point back at an email name its type
lazily and find its class in the schema (node.node_class): no import cycle.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from app.core.urls import document_content_url
from app.graphql.accounts.types import User
from app.graphql.columns import reads
from app.graphql.common import JSON, FromModel, Later
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.inboxes.types import Queue
from app.graphql.node import node_class

if TYPE_CHECKING:
    from app.graphql.mail.types import Email, EmailThread

EmailRef = Annotated["Email", strawberry.lazy("app.graphql.mail.types")]
EmailThreadRef = Annotated["EmailThread", strawberry.lazy("app.graphql.mail.types")]


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
    organization_id: strawberry.Private[int]

    @strawberry.field(
        graphql_type=EmailRef | None, description="The email it arrived with."
    )
    def email(self, info: Info) -> "Later[Email | None]":
        email = node_class(info, "Email")
        return email.now(info.context.loaders.emails_by_id, self.email_id)

    @strawberry.field(graphql_type=list["Annotation"])
    def annotations(self, info: Info) -> "Later[list[Annotation]]":
        loader = info.context.loaders.annotations_by_document
        return Annotation.list_now(loader, self.id)

    @strawberry.field(
        description="Download of the document's bytes: a signed link that expires "
        "(SIGNED_URL_TTL), or with the bearer token.",
        metadata=reads("organization_id"),
    )
    def content_url(self) -> str:
        return document_content_url(self.id, organization_id=self.organization_id)


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

    @strawberry.field(graphql_type=Document | None)
    def document(self, info: Info) -> Later[Document | None]:
        return Document.now(info.context.loaders.documents_by_id, self.document_id)

    @strawberry.field(graphql_type=Queue | None)
    def queue(self, info: Info) -> Later[Queue | None]:
        return Queue.now(info.context.loaders.queues_by_id, self.queue_id)

    @strawberry.field(
        graphql_type=EmailRef | None,
        description="The email the document arrived with.",
    )
    def email(self, info: Info) -> "Later[Email | None]":
        email = node_class(info, "Email")
        return email.now(info.context.loaders.emails_by_id, self.email_id)

    @strawberry.field(graphql_type=EmailThreadRef | None)
    def email_thread(self, info: Info) -> "Later[EmailThread | None]":
        thread = node_class(info, "EmailThread")
        loader = info.context.loaders.email_threads_by_id
        return thread.now(loader, self.email_thread_id)

    @strawberry.field(
        description="Emails this annotation was related to (replies, attach).",
        metadata=reads("id"),
    )
    async def related_emails(self, info: Info) -> list[EmailRef]:
        email = node_class(info, "Email")
        loader = info.context.loaders.related_emails_by_annotation
        return await email.load_list(loader, self.id)

    @strawberry.field(graphql_type=User | None)
    def assignee(self, info: Info) -> Later[User | None]:
        return User.now(info.context.loaders.users_by_id, self.assignee_id)
