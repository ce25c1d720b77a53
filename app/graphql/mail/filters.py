"""Which emails and threads a list shows, in which order: filter and order inputs
turned into the ORM conditions and sort keys of app.mail.filters and pagination."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import strawberry
from tortoise.queryset import QuerySet

from app.core import ids
from app.core.errors import InvalidInput
from app.core.limits import limits
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


def _listed(values: Sequence[str] | None, field: str) -> list[str] | None:
    """A list-valued filter (any of): bounded, so one query stays cheap."""
    most = limits().filter_values
    if values is not None and len(values) > most:
        raise InvalidInput(f"{field} takes at most {most} values.", field=field)
    return None if values is None else list(values)


def _many(
    values: Sequence[strawberry.ID] | None, type_name: str, field: str
) -> list[int] | None:
    """Pks of the ids of this type; the others match nothing."""
    listed = _listed(values, field)
    return None if listed is None else ids.decode_many(listed, type_name)


@strawberry.input
class LinkedObjectFilter:
    type: str
    id: str | None = strawberry.field(
        default=None, description="Any id of the type if null."
    )


@strawberry.input(description="All conditions are combined with AND.")
class EmailFilter:
    ids: list[strawberry.ID] | None = None
    queue: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Any of these queues."
    )
    inbox: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Any of these inboxes: mail received at them and mail sent from "
        "their addresses.",
    )
    thread: strawberry.ID | None = None
    creator: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Created by any of these users."
    )
    type: EmailTypeEnum | None = None  # type: ignore[valid-type]
    status: list[EmailStatusEnum] | None = None  # type: ignore[valid-type]
    labels: list[LabelEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Emails with any of these labels."
    )
    from_: list[str] | None = strawberry.field(
        default=None, name="from", description="Sent by any of these addresses."
    )
    to: list[str] | None = strawberry.field(
        default=None, description="Any of these addresses is a to/cc/bcc recipient."
    )
    sender_or_recipient: list[str] | None = strawberry.field(
        default=None, description="Any of these addresses sent or received it."
    )
    message_id: str | None = strawberry.field(
        default=None, description="This Message-ID (the angle brackets optional)."
    )
    external_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    date_after: datetime | None = strawberry.field(
        default=None, description="Date header later than this (excluded)."
    )
    date_before: datetime | None = strawberry.field(
        default=None, description="Date header earlier than this (excluded)."
    )
    subject: str | None = strawberry.field(
        default=None, description="Subject contains."
    )
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Words of the subject, addresses, sender name and plain body: these"
            " words, in this order, each the start of a word (`carol@cli`)."
        ),
    )
    has_documents: bool | None = None
    delivery_status: list[DeliveryStatusEnum] | None = None  # type: ignore[valid-type]
    unread: bool | None = None
    linked_object: "LinkedObjectFilter | None" = strawberry.field(
        default=None, description="Emails linked to this external object (or type)."
    )

    def to_spec(self) -> EmailFilterSpec:
        thread, t_bad = _one(self.thread, "EmailThread")
        return EmailFilterSpec(
            ids=None if self.ids is None else ids.decode_many([*self.ids], "Email"),
            queue_ids=_many(self.queue, "Queue", "queue"),
            inbox_ids=_many(self.inbox, "Inbox", "inbox"),
            thread_id=thread,
            creator_ids=_many(self.creator, "User", "creator"),
            type=self.type,
            status=self.status,
            labels=self.labels,
            from_addresses=_listed(self.from_, "from"),
            to_addresses=_listed(self.to, "to"),
            sender_or_recipient=_listed(self.sender_or_recipient, "senderOrRecipient"),
            message_id=self.message_id,
            external_id=self.external_id,
            created_after=self.created_after,
            created_before=self.created_before,
            date_after=self.date_after,
            date_before=self.date_before,
            subject=self.subject,
            search=self.search,
            has_documents=self.has_documents,
            delivery_status=self.delivery_status,
            unread=self.unread,
            linked_object=(self.linked_object.type, self.linked_object.id)
            if self.linked_object
            else None,
            unmatchable=t_bad,
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
