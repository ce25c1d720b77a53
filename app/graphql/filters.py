"""GraphQL filter and order inputs, turned into ORM conditions."""

from datetime import datetime

import strawberry
from tortoise.queryset import QuerySet

from app.core import ids
from app.graphql.enums import (
    AnnotationStatusEnum,
    DeliveryStatusEnum,
    EmailStatusEnum,
    EmailTypeEnum,
    LabelEnum,
    TaskKindEnum,
    TaskStatusEnum,
)
from app.graphql.ordering import EmailOrderField
from app.mail.filters import EmailFilterSpec

EmailOrderFieldEnum = strawberry.enum(EmailOrderField, name="EmailOrderField")


def _one(value: strawberry.ID | None, type_name: str) -> tuple[int | None, bool]:
    """(pk, unmatchable): an id that is not of this type matches nothing."""
    if value is None:
        return None, False
    found = ids.decode_many([value], type_name)
    return (found[0], False) if found else (None, True)


@strawberry.input
class LinkedObjectFilter:
    type: str
    id: str | None = strawberry.field(
        default=None, description="Any id of the type if null."
    )


@strawberry.input(description="All conditions are combined with AND.")
class EmailFilter:
    ids: list[strawberry.ID] | None = None
    queue: strawberry.ID | None = None
    inbox: strawberry.ID | None = None
    thread: strawberry.ID | None = None
    creator: strawberry.ID | None = None
    type: EmailTypeEnum | None = None  # type: ignore[valid-type]
    status: list[EmailStatusEnum] | None = None  # type: ignore[valid-type]
    labels: list[LabelEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Emails with any of these labels."
    )
    from_: str | None = strawberry.field(
        default=None, name="from", description="Sender address."
    )
    to: str | None = strawberry.field(default=None, description="A to/cc/bcc address.")
    sender_or_recipient: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    subject: str | None = strawberry.field(
        default=None, description="Subject contains."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Subject, addresses, sender name and plain body contain.",
    )
    has_documents: bool | None = None
    delivery_status: list[DeliveryStatusEnum] | None = None  # type: ignore[valid-type]
    unread: bool | None = None
    linked_object: "LinkedObjectFilter | None" = strawberry.field(
        default=None, description="Emails linked to this external object (or type)."
    )

    def to_spec(self) -> EmailFilterSpec:
        queue, q_bad = _one(self.queue, "Queue")
        inbox, i_bad = _one(self.inbox, "Inbox")
        thread, t_bad = _one(self.thread, "EmailThread")
        creator, c_bad = _one(self.creator, "User")
        return EmailFilterSpec(
            ids=None if self.ids is None else ids.decode_many(self.ids, "Email"),
            queue_id=queue,
            inbox_id=inbox,
            thread_id=thread,
            creator_id=creator,
            type=self.type,
            status=self.status,
            labels=self.labels,
            from_address=self.from_,
            to_address=self.to,
            sender_or_recipient=self.sender_or_recipient,
            created_after=self.created_after,
            created_before=self.created_before,
            subject=self.subject,
            search=self.search,
            has_documents=self.has_documents,
            delivery_status=self.delivery_status,
            unread=self.unread,
            linked_object=(self.linked_object.type, self.linked_object.id)
            if self.linked_object
            else None,
            unmatchable=q_bad or i_bad or t_bad or c_bad,
        )


@strawberry.input
class EmailOrder:
    field: EmailOrderFieldEnum = EmailOrderField.CREATED_AT  # type: ignore[valid-type]
    descending: bool = True


def _scope(query: QuerySet, column: str, value: strawberry.ID | None, type_name: str):
    if value is None:
        return query
    return query.filter(**{f"{column}__in": ids.decode_many([value], type_name)})


@strawberry.input
class EmailThreadFilter:
    queue: strawberry.ID | None = None
    has_new_replies: bool | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        query = _scope(query, "queue_id", self.queue, "Queue")
        if self.has_new_replies is not None:
            query = query.filter(has_new_replies=self.has_new_replies)
        return query


@strawberry.input
class DocumentFilter:
    email: strawberry.ID | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        return _scope(query, "email_id", self.email, "Email")


@strawberry.input
class AnnotationFilter:
    queue: strawberry.ID | None = None
    email: strawberry.ID | None = None
    email_thread: strawberry.ID | None = None
    status: list[AnnotationStatusEnum] | None = None  # type: ignore[valid-type]

    def apply(self, query: QuerySet) -> QuerySet:
        query = _scope(query, "queue_id", self.queue, "Queue")
        query = _scope(query, "email_id", self.email, "Email")
        query = _scope(query, "email_thread_id", self.email_thread, "EmailThread")
        if self.status is not None:
            query = query.filter(status__in=self.status)
        return query


@strawberry.input
class InboxFilter:
    queue: strawberry.ID | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        return _scope(query, "queue_id", self.queue, "Queue")


@strawberry.input
class TaskFilter:
    kind: list[TaskKindEnum] | None = None  # type: ignore[valid-type]
    status: list[TaskStatusEnum] | None = None  # type: ignore[valid-type]

    def apply(self, query: QuerySet) -> QuerySet:
        if self.kind is not None:
            query = query.filter(kind__in=self.kind)
        if self.status is not None:
            query = query.filter(status__in=self.status)
        return query
