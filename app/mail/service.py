"""Email verbs shared by the import and send pipelines and the API."""

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from app.core.errors import ErrorCode, InvalidInput, NotFound
from app.core.validation import check_metadata
from app.documents.models import Annotation
from app.inboxes.models import Inbox
from app.mail import search
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailStatus,
    EmailThread,
    EmailType,
    Label,
    ParticipantRole,
    ThreadMatchMethod,
)
from app.mail.relations import (
    EmailLabel,
    EmailParticipant,
    EmailRelatedAnnotation,
    EmailRelatedDocument,
)
from app.mail.subjects import SUBJECT_MAX, normalize_subject
from app.tasks.jobs import JobFailed
from app.tasks.models import Task


@dataclass(kw_only=True)
class Received:
    """Columns only an imported email has: where its raw bytes are, how it dedupes."""

    raw_blob_key: str | None
    raw_sha256: str
    raw_size: int
    dedupe_key: str | None
    received_at: datetime | None = None
    parse_defects: list[str] = field(default_factory=list)
    filtered_out_document_count: int = 0


@dataclass(kw_only=True)
class Delivery:
    """Columns only an outgoing email has: where its delivery starts."""

    delivery_status: DeliveryStatus = DeliveryStatus.QUEUED
    send_at: datetime | None = None
    send_before: datetime | None = None
    idempotency_key: str | None = None


@dataclass(kw_only=True)
class NewEmail:
    """What a pipeline knows about an email before it is stored; the rest (thread,
    dates, search columns, an outgoing email's inbox) `record_email` derives."""

    organization_id: int
    queue_id: int
    type: EmailType
    subject: str = ""  # whole; stored cut to the column (the thread key is not)
    from_address: str = ""
    from_name: str = ""
    to: list[dict[str, str]] = field(default_factory=list)
    cc: list[dict[str, str]] = field(default_factory=list)
    bcc: list[dict[str, str]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    created_at: datetime | None = None
    inbox_id: int | None = None
    creator_id: int | None = None
    parent_id: int | None = None
    thread_match_email_id: int | None = None
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    body_text_plain: str = ""
    body_text_reply: str | None = None
    body_text_html: str = ""
    body_truncated: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    date: datetime | None = None
    message_headers: list[dict[str, str]] | None = None
    unread: bool = True
    received: Received | None = None
    delivery: Delivery | None = None

    def columns(self) -> dict[str, Any]:
        """The Email columns this sets directly."""
        derived = {
            "subject",
            "labels",
            "created_at",
            "received",
            "delivery",
            "from_address",
            "date",
            "inbox_id",
        }
        values = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in derived
        }
        for part in (self.received, self.delivery):
            if part is not None:
                values.update(asdict(part))
        return values


async def record_email(
    new: NewEmail,
    *,
    thread: EmailThread | None = None,
    match_method: ThreadMatchMethod = ThreadMatchMethod.NEW_THREAD,
) -> Email:
    """Store an email with its participants and labels, in `thread` or a new one.

    Call inside a transaction: the email, its thread and rows commit together.
    """
    created_at = new.created_at or datetime.now(UTC)
    if thread is None:
        thread = await EmailThread.create(
            organization_id=new.organization_id,
            queue_id=new.queue_id,
            subject=new.subject[:SUBJECT_MAX],
            # From the whole subject: the key must not depend on where it was cut.
            normalized_subject=normalize_subject(new.subject),
            created_at=created_at,
            last_email_created_at=created_at,
        )
        match_method = ThreadMatchMethod.NEW_THREAD
    email = await Email.create(
        **new.columns(),
        from_address=new.from_address.lower(),
        inbox_id=new.inbox_id or await _sending_inbox(new),
        date=_date(new, created_at),
        email_thread=thread,
        thread_match_method=match_method,
        created_at=created_at,
        last_thread_email_created_at=max(created_at, thread.last_email_created_at),
        subject=new.subject[:SUBJECT_MAX],
        subject_folded=fold(new.subject[:SUBJECT_MAX])[:SUBJECT_MAX],
        search_text=search_text(new),
    )
    participants = [
        EmailParticipant(email=email, role=role, address=a["email"].lower())
        for role, items in (
            (ParticipantRole.TO, new.to),
            (ParticipantRole.CC, new.cc),
            (ParticipantRole.BCC, new.bcc),
        )
        for a in items
    ]
    if new.from_address:
        participants.append(
            EmailParticipant(
                email=email, role=ParticipantRole.FROM, address=email.from_address
            )
        )
    if participants:
        await EmailParticipant.bulk_create(participants)
    await _add_labels(email, new.labels)  # a new email has none to replace
    await _touch_thread(thread, email)
    return email


async def _sending_inbox(new: NewEmail) -> int | None:
    """Outgoing mail belongs to the inbox it is sent from, so `inbox` filters find
    sent mail too; None when it goes out from an address no inbox has."""
    if new.type is not EmailType.OUTGOING or not new.from_address:
        return None
    inbox = await Inbox.get_or_none(
        organization_id=new.organization_id, email=new.from_address.lower()
    )
    return inbox.id if inbox else None


def _date(new: NewEmail, created_at: datetime) -> datetime | None:
    """An outgoing email's Date is fixed when it is stored (its sendAt when
    scheduled), in whole seconds like the header, so the two always agree."""
    if new.date is not None or new.type is not EmailType.OUTGOING:
        return new.date
    send_at = new.delivery.send_at if new.delivery else None
    return (send_at or created_at).replace(microsecond=0)


def fold(text: str) -> str:
    return text.casefold()


def search_text(new: NewEmail) -> str:
    """What `search` looks in (its words, app.mail.search): subject, sender name,
    addresses and plain body."""
    addresses = [new.from_address, *(a["email"] for a in new.to + new.cc + new.bcc)]
    return search.document(
        [new.subject[:SUBJECT_MAX], new.from_name, *addresses, new.body_text_plain]
    )


async def _touch_thread(thread: EmailThread, email: Email) -> None:
    """Keep the thread's root, reply flags and dates in step with a new email.
    Only incoming mail counts as a new reply: our own answers are not news."""
    if thread.root_email_id is None:
        thread.root_email_id = email.id
    else:
        thread.has_replies = True
        if email.type is EmailType.INCOMING:
            thread.has_new_replies = True
    if email.created_at > thread.last_email_created_at:
        thread.last_email_created_at = email.created_at
        await Email.filter(email_thread_id=thread.id).update(
            last_thread_email_created_at=email.created_at
        )
    await thread.save()


async def set_labels(email: Email, labels: list[Label]) -> None:
    """Replace an email's labels."""
    await EmailLabel.filter(email_id=email.id).delete()
    await _add_labels(email, labels)


async def _add_labels(email: Email, labels: list[Label]) -> None:
    if labels:
        await EmailLabel.bulk_create(
            [
                EmailLabel(email_id=email.id, label=label)
                for label in dict.fromkeys(labels)
            ]
        )


async def get_email(*, organization_id: int, email_id: int, field: str = "id") -> Email:
    email = await Email.get_or_none(id=email_id, organization_id=organization_id)
    if email is None:
        raise NotFound("No such email.", field=field)
    return email


async def update_email(
    *,
    organization_id: int,
    email_id: int,
    labels: list[Label] | None = None,
    metadata: dict[str, Any] | None = None,
    status: EmailStatus | None = None,
    unread: bool | None = None,
    external_id: str | None = None,
) -> Email:
    """Change the triage fields of an email; only RESOLVED/UNRESOLVED are set here."""
    if status is EmailStatus.DISMISSED:
        raise InvalidInput("Use dismissEmail to dismiss an email.", field="status")
    if metadata is not None:
        check_metadata(metadata)
    if external_id is not None and len(external_id) > 200:
        raise InvalidInput("externalId is at most 200 characters.", field="externalId")
    async with in_transaction():
        email = await get_email(organization_id=organization_id, email_id=email_id)
        if metadata is not None:
            email.metadata = metadata
        if status is not None:
            email.status = status
            email.dismissed_at = None
            email.dismissed_by_id = None
        if unread is not None:
            email.unread = unread
        if external_id is not None:
            email.external_id = external_id or None
        await email.save()
        if labels is not None:
            await set_labels(email, labels)
    return email


async def email_of(task: Task) -> Email:
    """The email a send, dismiss or attach task acts on; the task fails when it
    is gone."""
    email = await Email.get_or_none(id=task.email_id) if task.email_id else None
    if email is None:
        raise JobFailed("The email no longer exists.", code=ErrorCode.NOT_FOUND)
    return email


async def relate(
    email: Email,
    *,
    annotation_ids: list[int],
    document_ids: list[int],
    reset_thread: bool = False,
) -> None:
    """Relate annotations and documents to an email (each once, whatever it had);
    the annotations' documents are related documents too (as the reference fills
    them); annotations without a thread join the email's, all of them with
    `reset_thread`. The ids must be the email organization's (the callers check)."""
    if not annotation_ids and not document_ids:
        return  # most sends relate nothing: four statements that would find none
    await _add_missing(EmailRelatedAnnotation, email, "annotation_id", annotation_ids)
    theirs = await Annotation.filter(
        id__in=annotation_ids, document_id__not_isnull=True
    ).order_by("id")
    await _add_missing(
        EmailRelatedDocument,
        email,
        "document_id",
        [*document_ids, *(a.document_id for a in theirs if a.document_id)],
    )
    moving = Annotation.filter(id__in=annotation_ids)
    if not reset_thread:
        moving = moving.filter(email_thread_id=None)
    await moving.update(email_thread_id=email.email_thread_id)


Relation = TypeVar("Relation", EmailRelatedAnnotation, EmailRelatedDocument)


async def _add_missing(
    model: type[Relation],
    email: Email,
    column: str,
    ids: list[int],
) -> None:
    """The relation rows `email` lacks, in the order given, each id once."""
    have = set(await model.filter(email_id=email.id).values_list(column, flat=True))
    rows = [model(email_id=email.id, **{column: pk}) for pk in dict.fromkeys(ids)]
    await model.bulk_create([r for r in rows if getattr(r, column) not in have])
