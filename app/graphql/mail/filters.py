"""Which emails and threads a list shows, in which order: filter and order inputs
turned into the ORM conditions and sort keys of app.mail.filters and pagination."""

from datetime import datetime
from enum import StrEnum

import strawberry
from tortoise.queryset import QuerySet

from app.core import ids
from app.graphql.enums import (
    DeliveryStatusEnum,
    EmailStatusEnum,
    EmailTypeEnum,
    LabelEnum,
)
from app.graphql.listing import with_id
from app.graphql.pagination import SortKey
from app.mail.filters import EmailFilterSpec


class EmailOrderField(StrEnum):
    CREATED_AT = "CREATED_AT"
    SUBJECT = "SUBJECT"
    LAST_THREAD_EMAIL = "LAST_THREAD_EMAIL"
    DATE = "DATE"


EMAIL_ORDERINGS: dict[EmailOrderField, list[SortKey]] = {
    EmailOrderField.CREATED_AT: [SortKey("created_at", datetime)],
    EmailOrderField.DATE: [SortKey("date", datetime, nullable=True)],
    EmailOrderField.SUBJECT: [SortKey("subject", str)],
    EmailOrderField.LAST_THREAD_EMAIL: [
        SortKey("last_thread_email_created_at", datetime)
    ],
}

EmailOrderFieldEnum = strawberry.enum(
    EmailOrderField,
    name="EmailOrderField",
    description="DATE: the Date header (see Email.date); emails without one come "
    "last, ascending and descending alike.",
)


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
            ids=None if self.ids is None else ids.decode_many([*self.ids], "Email"),
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


@strawberry.input
class EmailThreadFilter:
    queue: strawberry.ID | None = None
    has_new_replies: bool | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        query = with_id(query, "queue_id", self.queue, "Queue")
        if self.has_new_replies is not None:
            query = query.filter(has_new_replies=self.has_new_replies)
        return query
