"""Email and EmailThread: the mail the API is about."""

from datetime import datetime
from typing import Any, Optional

import strawberry
from strawberry import relay

from app.core.urls import email_content_url, with_signed_part_urls
from app.graphql.accounts.types import User
from app.graphql.columns import reads
from app.graphql.common import JSON, FromModel, Later, value_now
from app.graphql.context import Info
from app.graphql.documents.types import Annotation, Document
from app.graphql.enums import (
    DeliveryStatusEnum,
    EmailStatusEnum,
    EmailTypeEnum,
    LabelEnum,
    ThreadMatchMethodEnum,
)
from app.graphql.inboxes.types import Inbox, Queue
from app.graphql.mail.filters import EMAIL_ORDERINGS, EmailOrderField
from app.graphql.mail.values import (
    AnnotationCounts,
    Bounce,
    DeliveryTry,
    EmailAddress,
    EmailHeader,
    EmailPart,
    LinkedObject,
    RefusedRecipient,
)
from app.graphql.pagination import Connection, PageArgs, paginate
from app.graphql.prefetch import warmed
from app.mail.models import Email as EmailModel
from app.mail.models import Label


@strawberry.type
class ThreadMatch:
    method: ThreadMatchMethodEnum  # type: ignore[valid-type]
    matched_email_id: strawberry.Private[int | None]

    @strawberry.field
    async def matched_email(self, info: Info) -> "Email | None":
        return await Email.load(
            info.context.loaders.emails_by_id, self.matched_email_id
        )


@strawberry.type
class Email(relay.Node, FromModel):
    id: relay.NodeID[int]
    created_at: datetime
    last_thread_email_created_at: datetime = strawberry.field(
        deprecation_reason="Use emailThread.lastEmailCreatedAt."
    )
    type: EmailTypeEnum  # type: ignore[valid-type]
    subject: str
    date: datetime | None = strawberry.field(
        description="The Date header in UTC; null when absent or unreadable (see "
        "parseDefects). Outgoing: the Date it is sent with, fixed when it was "
        "stored (its sendAt when scheduled)."
    )
    received_at: datetime | None = strawberry.field(
        description="When Mailroom received it (importEmail, SMTP or bulk import "
        "accepted it); null for outgoing mail."
    )
    body_text_plain: str = strawberry.field(
        description="Every inline text part in order (HTML made text); at most 4 kB."
    )
    body_text_reply: str | None = strawberry.field(
        description="Incoming mail: the new text of a reply, without the quoted "
        "history and the signature; at most 4 kB. Null for outgoing mail and mail "
        "imported before it was kept."
    )
    body_text_html: strawberry.Private[str]
    body_truncated: bool
    metadata: JSON
    filtered_out_document_count: int
    message_id: str
    parse_defects: list[str]
    status: EmailStatusEnum  # type: ignore[valid-type]
    dismissed_at: datetime | None
    unread: bool
    external_id: str | None
    delivery_status: DeliveryStatusEnum | None  # type: ignore[valid-type]
    send_at: datetime | None
    send_before: datetime | None
    try_count: int
    sent_at: datetime | None
    failed_at: datetime | None
    references: list[str]
    organization_id: strawberry.Private[int]
    queue_id: strawberry.Private[int]
    inbox_id: strawberry.Private[int | None]
    parent_id: strawberry.Private[int | None]
    email_thread_id: strawberry.Private[int | None]
    creator_id: strawberry.Private[int | None]
    dismissed_by_id: strawberry.Private[int | None]
    thread_match_method: strawberry.Private[str]
    thread_match_email_id: strawberry.Private[int | None]
    from_address: strawberry.Private[str]
    from_name: strawberry.Private[str]
    to: strawberry.Private[list[dict[str, Any]]]
    cc: strawberry.Private[list[dict[str, Any]]]
    bcc: strawberry.Private[list[dict[str, Any]]]
    in_reply_to: strawberry.Private[list[str]]
    parts: strawberry.Private[list[dict[str, Any]]]
    last_tries: strawberry.Private[list[dict[str, Any]]]
    refused_recipients: strawberry.Private[list[dict[str, Any]]]
    bounce: strawberry.Private[dict[str, Any] | None]
    raw_size: strawberry.Private[int]
    raw_blob_key: strawberry.Private[str | None]
    message_headers: strawberry.Private[list[dict[str, str]] | None]

    @strawberry.field(
        description="Bytes of the raw message; null while an outgoing email has "
        "not been composed for delivery yet.",
        metadata=reads("raw_blob_key", "raw_size"),
    )
    def size(self) -> int | None:
        return None if self.raw_blob_key is None else self.raw_size

    @strawberry.field(
        description="Every header of the raw message, decoded, in order (at most "
        "32 kB of them; parseDefects says when some were left out). Null when not "
        "recorded: mail stored before this field existed, and outgoing mail not "
        "composed for delivery yet.",
        metadata=reads("message_headers"),
    )
    def headers(self) -> list[EmailHeader] | None:
        if self.message_headers is None:
            return None
        return EmailHeader.many(self.message_headers)

    @strawberry.field(name="from", metadata=reads("from_address", "from_name"))
    def from_(self) -> EmailAddress | None:
        if not self.from_address:
            return None
        return EmailAddress(email=self.from_address, name=self.from_name or None)

    @strawberry.field(name="to", metadata=reads("to"))
    def to_(self) -> list[EmailAddress]:
        return EmailAddress.many(self.to)

    @strawberry.field(name="cc", metadata=reads("cc"))
    def cc_(self) -> list[EmailAddress]:
        return EmailAddress.many(self.cc)

    @strawberry.field(name="bcc", metadata=reads("bcc"))
    def bcc_(self) -> list[EmailAddress]:
        return EmailAddress.many(self.bcc)

    @strawberry.field(name="inReplyTo", metadata=reads("in_reply_to"))
    def in_reply_to_(self) -> str | None:
        return self.in_reply_to[0] if self.in_reply_to else None

    @strawberry.field(metadata=reads("thread_match_method", "thread_match_email_id"))
    def thread_match(self) -> ThreadMatch:
        return ThreadMatch(
            method=self.thread_match_method, matched_email_id=self.thread_match_email_id
        )

    @strawberry.field(name="parts", metadata=reads("parts"))
    def parts_(self) -> list[EmailPart]:
        return [EmailPart.from_json(p) for p in self.parts]

    @strawberry.field(description="External objects the email is linked to.")
    async def linked_objects(self, info: Info) -> list[LinkedObject]:
        loader = info.context.loaders.linked_objects_by_email
        return await LinkedObject.load_list(loader, self.id)

    @strawberry.field(
        name="lastTries",
        description="The last three delivery attempts.",
        metadata=reads("last_tries"),
    )
    def last_tries_(self) -> list[DeliveryTry]:
        return [DeliveryTry.from_json(t) for t in self.last_tries[-3:]]

    @strawberry.field(
        name="bounce",
        description="What the delivery status notification that marked it BOUNCED "
        "said; null unless deliveryStatus is BOUNCED.",
        metadata=reads("bounce"),
    )
    def bounce_(self) -> Bounce | None:
        return Bounce.from_json(self.bounce) if self.bounce else None

    @strawberry.field(name="refusedRecipients", metadata=reads("refused_recipients"))
    def refused_recipients_(self) -> list[RefusedRecipient]:
        return [RefusedRecipient.from_json(r) for r in self.refused_recipients]

    @strawberry.field(
        name="bodyTextHtml",
        description="Sanitized; at most 4 kB. Inline images point at this email's "
        "part URLs, signed like contentUrl.",
        metadata=reads("body_text_html", "organization_id"),
    )
    def body_text_html_(self) -> str:
        return with_signed_part_urls(
            self.body_text_html, email_id=self.id, organization_id=self.organization_id
        )

    @strawberry.field(
        description="Download of the raw message (.eml): a signed link that expires "
        "(SIGNED_URL_TTL), or with the bearer token.",
        metadata=reads("organization_id"),
    )
    def content_url(self) -> str:
        return email_content_url(self.id, organization_id=self.organization_id)

    # Relations: plain functions that answer at once when the page's look-ahead
    # (prefetch.py) loaded them, else with an awaitable (see common.Later).
    @strawberry.field(graphql_type=Queue | None)
    def queue(self, info: Info) -> Later[Queue | None]:
        return Queue.now(info.context.loaders.queues_by_id, self.queue_id)

    @strawberry.field(graphql_type=Inbox | None)
    def inbox(self, info: Info) -> Later[Inbox | None]:
        return Inbox.now(info.context.loaders.inboxes_by_id, self.inbox_id)

    @strawberry.field(graphql_type=Optional["Email"])
    def parent(self, info: Info) -> "Later[Email | None]":
        return Email.now(info.context.loaders.emails_by_id, self.parent_id)

    @strawberry.field(graphql_type=Optional["EmailThread"])
    def email_thread(self, info: Info) -> "Later[EmailThread | None]":
        loader = info.context.loaders.email_threads_by_id
        return EmailThread.now(loader, self.email_thread_id)

    @strawberry.field(graphql_type=list["Email"])
    def children(self, info: Info) -> "Later[list[Email]]":
        return Email.list_now(info.context.loaders.emails_by_parent, self.id)

    @strawberry.field(
        graphql_type=list[Document],
        description="Documents extracted from this email's attachments.",
    )
    def documents(self, info: Info) -> Later[list[Document]]:
        return Document.list_now(info.context.loaders.documents_by_email, self.id)

    @strawberry.field(
        graphql_type=list[Annotation],
        description="Annotations that arrived with this email.",
    )
    def annotations(self, info: Info) -> Later[list[Annotation]]:
        return Annotation.list_now(info.context.loaders.annotations_by_email, self.id)

    @strawberry.field(graphql_type=list[Annotation])
    def related_annotations(self, info: Info) -> Later[list[Annotation]]:
        loader = info.context.loaders.related_annotations_by_email
        return Annotation.list_now(loader, self.id)

    @strawberry.field(graphql_type=list[Document])
    def related_documents(self, info: Info) -> Later[list[Document]]:
        loader = info.context.loaders.related_documents_by_email
        return Document.list_now(loader, self.id)

    @strawberry.field(graphql_type=AnnotationCounts)
    def annotation_counts(self, info: Info) -> Later[AnnotationCounts | None]:
        loader = info.context.loaders.annotation_counts_by_email
        return AnnotationCounts.now(loader, self.id)

    @strawberry.field(graphql_type=list[LabelEnum])  # type: ignore[valid-type]
    def labels(self, info: Info) -> Later[list[Label]]:
        return value_now(info.context.loaders.labels_by_email, self.id)

    @strawberry.field(
        graphql_type=User | None,
        description="Who created it; null for mail received over SMTP.",
    )
    def creator(self, info: Info) -> Later[User | None]:
        return User.now(info.context.loaders.users_by_id, self.creator_id)

    @strawberry.field(graphql_type=User | None)
    def dismissed_by(self, info: Info) -> Later[User | None]:
        return User.now(info.context.loaders.users_by_id, self.dismissed_by_id)


@strawberry.type
class EmailThread(relay.Node, FromModel):
    id: relay.NodeID[int]
    subject: str
    has_replies: bool
    has_new_replies: bool
    created_at: datetime
    last_email_created_at: datetime
    queue_id: strawberry.Private[int]
    root_email_id: strawberry.Private[int | None]

    @strawberry.field(graphql_type=Queue | None)
    def queue(self, info: Info) -> Later[Queue | None]:
        return Queue.now(info.context.loaders.queues_by_id, self.queue_id)

    @strawberry.field(graphql_type=Email | None)
    def root_email(self, info: Info) -> Later[Email | None]:
        return Email.now(info.context.loaders.emails_by_id, self.root_email_id)

    @strawberry.field(
        graphql_type=list[LabelEnum],  # type: ignore[valid-type]
        description="The union of its emails' labels.",
    )
    def labels(self, info: Info) -> Later[list[Label]]:
        return value_now(info.context.loaders.labels_by_thread, self.id)

    @strawberry.field(graphql_type=AnnotationCounts)
    def annotation_counts(self, info: Info) -> Later[AnnotationCounts | None]:
        loader = info.context.loaders.annotation_counts_by_thread
        return AnnotationCounts.now(loader, self.id)

    @strawberry.field(
        description="The thread's emails, oldest first by default.",
        metadata=reads("id"),
    )
    async def emails(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        descending: bool = False,
    ) -> Connection[Email]:
        query = EmailModel.filter(
            organization_id=info.context.organization_id, email_thread_id=self.id
        )
        page = await paginate(
            query,
            keys=EMAIL_ORDERINGS[EmailOrderField.CREATED_AT],
            descending=descending,
            args=PageArgs(first=first, after=after, last=last, before=before),
            to_node=Email.from_model,
            columns=info.context.loaders.columns.get(EmailModel),
        )
        return await warmed(info, page)
