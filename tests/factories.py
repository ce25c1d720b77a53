"""Rows for tests, created through the app's services (queues, inboxes, emails) or its
models (documents, annotations), with explicit creation times where an ordering is
under test."""

import itertools
import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app.core.blobs import blob_store
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, EmailType, Label, ThreadMatchMethod
from app.mail.service import Delivery, NewEmail, Received, record_email
from tests.helpers import sha

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A fixed instant, `minutes` after T0 (negative: before)."""
    return T0 + timedelta(minutes=minutes)


_clock = itertools.count(1)
TICK_T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def tick() -> datetime:
    """Strictly increasing creation times: thread roots and orders are deterministic."""
    return TICK_T0 + timedelta(minutes=next(_clock))


# ------------------------------------------------------------------ queues, inboxes


async def make_queue(organization_id: int, name: str = "Main") -> Queue:
    return await inboxes.create_queue(organization_id=organization_id, name=name)


async def make_inbox(
    organization_id: int,
    email: str,
    *,
    queue: Queue | None = None,
    **settings: Any,
) -> Inbox:
    """An inbox at `email` feeding `queue` (else a queue of its own); `settings` are
    the inbox's (name, accepted_mime_types, reject_without_documents...)."""
    if queue is None:
        queue = await make_queue(organization_id, f"Queue for {email}")
    return await inboxes.create_inbox(
        organization_id=organization_id, queue_id=queue.id, email=email, **settings
    )


# --------------------------------------------------------------------------- emails


async def make_email(
    organization_id: int,
    queue_id: int,
    *,
    created_at: datetime,
    subject: str = "",
    thread: EmailThread | None = None,
    type: EmailType = EmailType.INCOMING,
    from_address: str = "",
    from_name: str = "",
    to: list[str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    labels: list[Label] | None = None,
    **extra: Any,
) -> Email:
    """One email through the service, in `thread` (else a new one); `extra` sets
    other Email columns (status, unread, inbox_id, creator_id, body_text_plain...)."""

    def addresses(items: list[str] | None) -> list[dict[str, str]]:
        return [{"email": a, "name": ""} for a in items or []]

    async with in_transaction():
        return await record_test_email(
            organization_id=organization_id,
            queue_id=queue_id,
            type=type,
            subject=subject,
            from_address=from_address,
            from_name=from_name,
            to=addresses(to),
            cc=addresses(cc),
            bcc=addresses(bcc),
            labels=labels or [],
            **extra,
            created_at=created_at,
            thread=thread,
            match_method=ThreadMatchMethod.MANUAL,  # ignored for a new thread
        )


async def new_email(
    admin,
    queue,
    *,
    subject="Invoice 42",
    thread=None,
    parent=None,
    labels=(Label.FORWARDED,),
    **extra,
) -> Email:
    """An incoming email from supplier@example.com to in@acme.example, in a new
    thread or in `thread` (IN_REPLY_TO); `extra` sets other Email columns."""
    if parent is not None:
        extra["parent_id"] = parent.id
    return await record_test_email(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        type=EmailType.INCOMING,
        subject=subject,
        from_address="supplier@example.com",
        to=[{"email": "in@acme.example", "name": ""}],
        labels=list(labels),
        **extra,
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO
        if thread
        else ThreadMatchMethod.NEW_THREAD,
    )


async def thread_of(email: Email) -> EmailThread:
    return await EmailThread.get(id=email.email_thread_id)


# ------------------------------------------------------------------------ documents


async def make_document(
    organization_id: int,
    data: bytes,
    name: str,
    mime_type: str,
    *,
    email_id: int | None = None,
) -> Document:
    """A document whose bytes are in the blob store, as the import leaves one."""
    return await Document.create(
        organization_id=organization_id,
        email_id=email_id,
        original_file_name=name,
        mime_type=mime_type,
        size=len(data),
        sha256=sha(data),
        blob_key=await blob_store().put(data),
    )


async def make_annotation(
    email: Email,
    document: Document,
    status: AnnotationStatus = AnnotationStatus.TO_REVIEW,
) -> Annotation:
    """The annotation an import makes for a document: the email's queue, thread."""
    return await Annotation.create(
        organization_id=email.organization_id,
        queue_id=email.queue_id,
        document=document,
        email=email,
        email_thread_id=email.email_thread_id,
        status=status,
    )


# ---------------------------------------------------------------------------- world


SENDER = "bob@vendor.test"


@dataclass
class World:
    """One organization's queue and inbox, and a factory for its rows."""

    organization_id: int
    queue: Queue
    inbox: Inbox

    async def email(
        self,
        subject: str = "Invoice 7",
        *,
        thread_of: Email | None = None,
        parent: Email | None = None,
        matched: Email | None = None,
        type: EmailType = EmailType.INCOMING,
        sender: str = SENDER,
        message_id: str | None = None,
        labels: tuple[Label, ...] = (),
        **extra: Any,
    ) -> Email:
        """An email in a new thread, or in `thread_of`'s thread as a reply to
        `parent` (IN_REPLY_TO) or matched through `matched` (SUBJECT_PARTICIPANTS)."""
        thread = None
        method = ThreadMatchMethod.NEW_THREAD
        if thread_of is not None:
            thread = await EmailThread.get(
                id=(await Email.get(id=thread_of.id)).email_thread_id
            )
        if parent is not None:
            extra.update(parent_id=parent.id, thread_match_email_id=parent.id)
            method = ThreadMatchMethod.IN_REPLY_TO
        if matched is not None:
            extra.update(thread_match_email_id=matched.id)
            method = ThreadMatchMethod.SUBJECT_PARTICIPANTS
        incoming = type is EmailType.INCOMING
        return await record_test_email(
            organization_id=self.organization_id,
            queue_id=self.queue.id,
            type=type,
            subject=subject,
            from_address=sender if incoming else self.inbox.email,
            from_name="Bob Vendor" if incoming else "",
            to=[{"email": self.inbox.email if incoming else sender, "name": ""}],
            labels=list(labels),
            created_at=tick(),
            **{
                "inbox_id": self.inbox.id,
                "message_id": message_id or f"<{uuid.uuid4().hex}@vendor.test>",
                **extra,
            },
            thread=thread,
            match_method=method,
        )

    async def annotation(
        self,
        email: Email | None,
        status: AnnotationStatus = AnnotationStatus.TO_REVIEW,
        *,
        thread_id: int | None | bool = True,
        queue: Queue | None = None,
    ) -> Annotation:
        """A document and its annotation; arrived with `email` (in its thread) unless
        email is None. thread_id=None makes it thread-less."""
        if email is not None:
            email = await Email.get(id=email.id)
        document = await Document.create(
            organization_id=self.organization_id,
            email_id=email.id if email else None,
            original_file_name=f"doc-{uuid.uuid4().hex[:6]}.pdf",
            mime_type="application/pdf",
        )
        if thread_id is True:
            thread_id = email.email_thread_id if email else None
        return await Annotation.create(
            organization_id=self.organization_id,
            queue_id=(queue or self.queue).id,
            document=document,
            email_id=email.id if email else None,
            email_thread_id=thread_id,
            status=status,
        )


async def make_world(actor: Any, address: str | None = None) -> World:
    """A queue "Invoices" of the actor's organization and an inbox feeding it."""
    queue = await make_queue(actor.organization_id, "Invoices")
    inbox = await make_inbox(
        actor.organization_id,
        address or f"in-{uuid.uuid4().hex[:8]}@acme.test",
        queue=queue,
        name="Acme Invoices",
    )
    return World(actor.organization_id, queue, inbox)


_NEW_EMAIL = {f.name for f in fields(NewEmail)}
_RECEIVED = {f.name for f in fields(Received)}
_DELIVERY = {f.name for f in fields(Delivery)}


async def record_test_email(
    *,
    thread: EmailThread | None = None,
    match_method: ThreadMatchMethod = ThreadMatchMethod.NEW_THREAD,
    **columns: Any,
) -> Email:
    """`record_email` for a test that states Email columns as it likes: NewEmail's
    own arguments, the received and delivery columns (filled with neutral values),
    and any other column (`parts`, `status`…) set right after."""
    new = {k: v for k, v in columns.items() if k in _NEW_EMAIL}
    received = {k: v for k, v in columns.items() if k in _RECEIVED}
    delivery = {k: v for k, v in columns.items() if k in _DELIVERY}
    rest = {k: v for k, v in columns.items() if k not in new | received | delivery}
    if received:
        received = {
            "raw_blob_key": None,
            "raw_sha256": "",
            "raw_size": 0,
            "dedupe_key": None,
            **received,
        }
        new["received"] = Received(**received)
    if delivery:
        new["delivery"] = Delivery(**delivery)
    email = await record_email(
        NewEmail(**new), thread=thread, match_method=match_method
    )
    if rest:
        await Email.filter(id=email.id).update(**rest)
        await email.refresh_from_db()
    return email
