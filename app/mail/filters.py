"""The `emails` filter as an ORM query (no GraphQL here): every condition ANDed."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from app.documents.models import Document
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailStatus,
    EmailType,
    Label,
    ParticipantRole,
)
from app.mail.relations import EmailLabel, EmailLinkedObject, EmailParticipant

RECIPIENT_ROLES = [ParticipantRole.TO, ParticipantRole.CC, ParticipantRole.BCC]


@dataclass
class EmailFilterSpec:
    ids: list[int] | None = None
    queue_id: int | None = None
    inbox_id: int | None = None
    thread_id: int | None = None
    creator_id: int | None = None
    type: EmailType | None = None
    status: list[EmailStatus] | None = None
    labels: list[Label] | None = None
    from_address: str | None = None
    to_address: str | None = None
    sender_or_recipient: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    subject: str | None = None
    search: str | None = None
    has_documents: bool | None = None
    delivery_status: list[DeliveryStatus] | None = None
    unread: bool | None = None
    linked_object: tuple[str, str | None] | None = None  # (type, id or any)
    # Ids the caller named that do not exist for it: the filter then matches nothing.
    unmatchable: bool = field(default=False)


def _with_participant(address: str, roles: list[ParticipantRole]) -> Q:
    emails = EmailParticipant.filter(address=address.strip().lower(), role__in=roles)
    return Q(id__in=Subquery(emails.values("email_id")))


def filter_emails(organization_id: int, spec: EmailFilterSpec) -> QuerySet[Email]:
    query = Email.filter(organization_id=organization_id)
    if spec.unmatchable:
        return query.filter(id__in=[])
    equal = {
        "id__in": spec.ids,
        "queue_id": spec.queue_id,
        "inbox_id": spec.inbox_id,
        "email_thread_id": spec.thread_id,
        "creator_id": spec.creator_id,
        "type": spec.type,
        "status__in": spec.status,
        "delivery_status__in": spec.delivery_status,
        "unread": spec.unread,
        "created_at__gt": _utc(spec.created_after),
        "created_at__lt": _utc(spec.created_before),
        "subject_folded__contains": spec.subject.casefold() if spec.subject else None,
    }
    query = query.filter(**{k: v for k, v in equal.items() if v is not None})
    if spec.labels is not None:
        labelled = EmailLabel.filter(label__in=spec.labels).values("email_id")
        query = query.filter(id__in=Subquery(labelled))
    if spec.from_address is not None:
        query = query.filter(from_address=spec.from_address.strip().lower())
    if spec.to_address is not None:
        query = query.filter(_with_participant(spec.to_address, RECIPIENT_ROLES))
    if spec.sender_or_recipient is not None:
        query = query.filter(
            _with_participant(
                spec.sender_or_recipient, [ParticipantRole.FROM, *RECIPIENT_ROLES]
            )
        )
    if spec.linked_object is not None:
        kind, object_id = spec.linked_object
        links = EmailLinkedObject.filter(type=kind)
        if object_id is not None:
            links = links.filter(object_id=object_id)
        query = query.filter(id__in=Subquery(links.values("email_id")))
    if spec.has_documents is not None:
        with_docs = Q(
            id__in=Subquery(
                Document.filter(email_id__not_isnull=True).values("email_id")
            )
        )
        query = query.filter(with_docs if spec.has_documents else ~with_docs)
    if spec.search and spec.search.strip():
        query = query.filter(search_text__contains=spec.search.strip().casefold())
    return query


def _utc(moment: datetime | None) -> datetime | None:
    """Times without an offset are UTC; all compare in UTC (SQLite compares text)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
