"""The `emails` filter as an ORM query (no GraphQL here): every condition ANDed,
each list condition matching any of its values."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from app.core.errors import InvalidInput
from app.core.limits import limits
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
from app.mail.search import matching

RECIPIENT_ROLES = [ParticipantRole.TO, ParticipantRole.CC, ParticipantRole.BCC]


@dataclass
class EmailFilterSpec:
    ids: list[int] | None = None
    queue_ids: list[int] | None = None
    inbox_ids: list[int] | None = None
    thread_id: int | None = None
    creator_ids: list[int] | None = None
    type: EmailType | None = None
    status: list[EmailStatus] | None = None
    labels: list[Label] | None = None
    from_addresses: list[str] | None = None
    to_addresses: list[str] | None = None
    sender_or_recipient: list[str] | None = None
    message_id: str | None = None
    external_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    date_after: datetime | None = None
    date_before: datetime | None = None
    subject: str | None = None
    search: str | None = None
    has_documents: bool | None = None
    delivery_status: list[DeliveryStatus] | None = None
    unread: bool | None = None
    linked_object: tuple[str, str | None] | None = None  # (type, id or any)
    # Ids the caller named that do not exist for it: the filter then matches nothing.
    unmatchable: bool = field(default=False)


def _with_participant(addresses: list[str], roles: list[ParticipantRole]) -> Q:
    emails = EmailParticipant.filter(address__in=_folded(addresses), role__in=roles)
    return Q(id__in=Subquery(emails.values("email_id")))


def _folded(addresses: list[str]) -> list[str]:
    return [a.strip().lower() for a in addresses]


def _message_id(value: str) -> str:
    """Message-IDs are stored with their angle brackets; a caller may leave them out."""
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def check_filter(spec: EmailFilterSpec) -> None:
    """What no email could match is the caller's mistake: say so (BAD_REQUEST)."""
    limit = limits()
    if spec.message_id is not None and not 0 < len(spec.message_id.strip()) <= 998:
        raise InvalidInput("messageId must be 1 to 998 characters.", field="messageId")
    if spec.external_id is not None and not 0 < len(spec.external_id) <= 200:
        raise InvalidInput(
            "externalId must be 1 to 200 characters.", field="externalId"
        )
    for field_name, addresses in (
        ("from", spec.from_addresses),
        ("to", spec.to_addresses),
        ("senderOrRecipient", spec.sender_or_recipient),
    ):
        if any(len(a.strip()) > limit.address_chars for a in addresses or []):
            raise InvalidInput(
                f"An address in {field_name} is over {limit.address_chars} characters.",
                field=field_name,
            )
    after, before = _utc(spec.date_after), _utc(spec.date_before)
    if after is not None and before is not None and after >= before:
        raise InvalidInput("dateAfter must be before dateBefore.", field="dateAfter")


def filter_emails(organization_id: int, spec: EmailFilterSpec) -> QuerySet[Email]:
    check_filter(spec)
    query = Email.filter(organization_id=organization_id)
    if spec.unmatchable:
        return query.filter(id__in=[])
    equal = {
        "id__in": spec.ids,
        "queue_id__in": spec.queue_ids,
        "inbox_id__in": spec.inbox_ids,
        "email_thread_id": spec.thread_id,
        "creator_id__in": spec.creator_ids,
        "type": spec.type,
        "status__in": spec.status,
        "delivery_status__in": spec.delivery_status,
        "unread": spec.unread,
        "created_at__gt": _utc(spec.created_after),
        "created_at__lt": _utc(spec.created_before),
        "date__gt": _utc(spec.date_after),
        "date__lt": _utc(spec.date_before),
        "message_id": _message_id(spec.message_id) if spec.message_id else None,
        "external_id": spec.external_id,
        "subject_folded__contains": spec.subject.casefold() if spec.subject else None,
    }
    query = query.filter(**{k: v for k, v in equal.items() if v is not None})
    if spec.labels is not None:
        labelled = EmailLabel.filter(label__in=spec.labels).values("email_id")
        query = query.filter(id__in=Subquery(labelled))
    if spec.from_addresses is not None:
        query = query.filter(from_address__in=_folded(spec.from_addresses))
    if spec.to_addresses is not None:
        query = query.filter(_with_participant(spec.to_addresses, RECIPIENT_ROLES))
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
    if spec.search and (found := matching(spec.search)) is not None:
        query = query.filter(found)
    return query


def _utc(moment: datetime | None) -> datetime | None:
    """Times without an offset are UTC; all compare in UTC (SQLite compares text)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
