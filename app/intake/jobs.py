"""The import job: raw message in the blob store -> Email, Documents, Annotations.

Idempotent: the task is claimed with one conditional update, everything is written in
one transaction, and the (inbox, Message-ID) unique key makes a re-run or a racing
duplicate resolve to the email that already exists.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.core.blobs import BlobStore, FileBlobStore, blob_store
from app.core.errors import ErrorCode
from app.core.limits import limits
from app.core.metrics import IMPORTS
from app.core.urls import email_part_url
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes.models import Inbox
from app.intake.keeping import Keep, sender_allowed
from app.intake.parse_runner import ParseCrashed, ParseTimeout, parse_in_child
from app.intake.parsed import Attachment, ParsedMessage
from app.intake.parts import PartOutcome
from app.mail.bodies import truncate_utf8
from app.mail.headers import header_list
from app.mail.models import Email, EmailType
from app.mail.service import NewEmail, Received, record_email
from app.outbox.bounces import Failure, original_email, record_bounce
from app.outbox.notices import queue_automatic_rejection
from app.outbox.status_notices import status_notices
from app.tasks.jobs import JobFailed, Outcome, task_job
from app.tasks.models import Task
from app.threads.links import inherit_links
from app.threads.matching import Incoming, match_thread, record_references
from app.threads.relinking import relink
from app.webhooks.events import email_data, emit
from app.webhooks.models import WebhookEvent

log = logging.getLogger("mailroom.import")


async def _import(task: Task) -> Outcome:
    source = str(task.payload.get("source", "api"))
    try:
        imported = await import_task(task)
    except JobFailed:
        IMPORTS.labels(source, "failed").inc()
        raise
    IMPORTS.labels(source, "new" if imported.new else "duplicate").inc()
    return Outcome(
        "succeeded",
        email_id=imported.email.id,
        follow_ups=imported.follow_ups,
        deliveries=imported.deliveries,
    )


import_email_job = task_job("import_email_job", _import)


@dataclass
class Imported:
    """The email of an import (new or already there), and what to enqueue after
    commit: follow-up tasks, EMAIL_RECEIVED's webhook deliveries (a new email's)."""

    email: Email
    follow_ups: list[Task] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    new: bool = True


async def import_task(task: Task) -> Imported:
    """The email for this task (new or already there) and what to enqueue after."""
    payload = task.payload
    inbox = await Inbox.get_or_none(
        id=payload["inbox_id"], organization_id=task.organization_id
    )
    if inbox is None:
        raise JobFailed("The inbox no longer exists.", code=ErrorCode.NOT_FOUND)
    store = blob_store()
    # Keys are the content's sha256.
    raw_key: str = payload["raw_blob_key"]
    try:
        parsed = await parse_in_child(*await _source(store, raw_key, inbox))
    except FileNotFoundError:
        raise JobFailed(
            "The raw message is missing.", code=ErrorCode.NOT_FOUND
        ) from None
    except (ParseTimeout, ParseCrashed) as exc:
        raise JobFailed(
            f"The message could not be parsed: {exc}.", code=ErrorCode.BAD_REQUEST
        ) from None
    if not parsed.headers:
        # Not a damaged message but no message at all (a PDF, a text file...): the
        # tolerant parser would make an empty email of it.
        raise JobFailed(
            "This is not an email message: it has no header at all.",
            code=ErrorCode.BAD_REQUEST,
        )
    dedupe_key = parsed.message_id or f"sha256:{raw_key}"
    existing = await Email.get_or_none(inbox_id=inbox.id, dedupe_key=dedupe_key)
    if existing is not None:
        return Imported(existing, new=False)
    _check_sender(inbox, parsed)
    for attachment in parsed.attachments:
        if attachment.data:  # kept, and not written by the parse process (S3)
            attachment.blob_key = await store.put(attachment.data)
            attachment.data = b""
    try:
        return await _store(
            task,
            inbox,
            parsed,
            raw_sha256=raw_key,
            size=parsed.raw_size,
            dedupe_key=dedupe_key,
        )
    except IntegrityError:
        # A concurrent run of the same message committed first.
        winner = await Email.get_or_none(inbox_id=inbox.id, dedupe_key=dedupe_key)
        if winner is None:
            raise
        return Imported(winner, new=False)


async def _source(
    store: BlobStore, raw_key: str, inbox: Inbox
) -> tuple[str | bytes, Keep]:
    """What the parse process reads and keeps: the file store's path of the raw
    message, where it writes the kept attachments itself; other stores' bytes
    (the process then needs no credentials, and the worker stores them)."""
    keep = Keep(
        min_image_bytes=inbox.min_image_bytes,
        accepted_mime_types=inbox.accepted_mime_types,
        allowed_senders=inbox.allowed_sender_patterns,
    )
    if isinstance(store, FileBlobStore):
        return str(store.path(raw_key)), replace(keep, blob_root=str(store.root))
    return await store.get(raw_key), keep


def _check_sender(inbox: Inbox, parsed: ParsedMessage) -> None:
    if not sender_allowed(parsed.from_address, inbox.allowed_sender_patterns):
        raise JobFailed(
            f"The sender {parsed.from_address or '(none)'} may not send to this inbox.",
            code=ErrorCode.ACCESS_FORBIDDEN,
        )


async def _store(
    task: Task,
    inbox: Inbox,
    parsed: ParsedMessage,
    *,
    raw_sha256: str,
    size: int,
    dedupe_key: str,
) -> Imported:
    body_max_bytes = limits().body_max_bytes
    now = datetime.now(UTC)
    payload = task.payload
    text, text_cut = truncate_utf8(parsed.plain, body_max_bytes)
    reply, reply_cut = truncate_utf8(parsed.reply, body_max_bytes)
    message_headers, headers_cut = header_list(parsed.headers)
    if headers_cut:
        parsed.defects.append(
            f"message: headers over {limits().stored_header_bytes} bytes; "
            "the rest is only in the raw message"
        )
    participants = {
        parsed.from_address,
        *(a["email"] for a in parsed.to + parsed.cc),
    } - {""}
    async with in_transaction():
        bounced = await _bounced_email(inbox, parsed)
        match = await match_thread(
            organization_id=inbox.organization_id,
            queue_id=inbox.queue_id,
            incoming=Incoming(
                message_id=parsed.message_id[:998],
                # A DSN without In-Reply-To threads under the message it returns.
                in_reply_to=parsed.in_reply_to
                or ([bounced.message_id] if bounced is not None else []),
                references=parsed.references,
                subject=parsed.subject,
                participants=participants,
                list_addresses=parsed.list_addresses,
            ),
            now=now,
        )
        email = await record_email(
            NewEmail(
                organization_id=inbox.organization_id,
                queue_id=inbox.queue_id,
                type=EmailType.INCOMING,
                subject=parsed.subject,
                from_address=parsed.from_address,
                from_name=parsed.from_name[:200],
                to=parsed.to,
                cc=parsed.cc,
                created_at=now,
                inbox_id=inbox.id,
                creator_id=task.creator_id,
                message_id=parsed.message_id[:998],
                date=parsed.date,
                message_headers=message_headers,
                in_reply_to=parsed.in_reply_to,
                references=parsed.references,
                body_text_plain=text,
                body_text_reply=reply,
                metadata=payload.get("metadata") or {},
                parent_id=match.parent.id if match.parent else None,
                thread_match_email_id=match.matched.id if match.matched else None,
                received=Received(
                    raw_blob_key=payload["raw_blob_key"],
                    raw_sha256=raw_sha256,
                    raw_size=size,
                    dedupe_key=dedupe_key,
                    received_at=task.created_at,
                    parse_defects=parsed.defects,
                    filtered_out_document_count=sum(
                        a.outcome
                        in (
                            PartOutcome.FILTERED_INLINE,
                            PartOutcome.FILTERED_SMALL_IMAGE,
                        )
                        for a in parsed.attachments
                    ),
                ),
            ),
            thread=match.thread,
            match_method=match.method,
        )
        documents, annotations = await _documents(
            email, inbox, parsed.attachments, payload
        )
        _finish_parts(parsed, documents)
        html, html_cut = truncate_utf8(_with_part_urls(email, parsed), body_max_bytes)
        email.body_text_html = html
        email.body_truncated = text_cut or html_cut or reply_cut
        email.parts = parsed.parts
        await email.save(update_fields=["body_text_html", "body_truncated", "parts"])
        await record_references(email)
        await relink(email, named=match.named)
        if match.thread is not None:  # a reply into a linked thread is linked too
            await inherit_links(email)
        follow_ups = []
        if (
            not documents
            and inbox.reject_without_documents
            and parsed.from_address
            and parsed.from_address != inbox.email
            and not parsed.automatic
        ):
            follow_ups.append(await queue_automatic_rejection(email, inbox))
        # Its annotations arrive in TO_REVIEW: a template may announce that.
        follow_ups += await status_notices(
            annotations, AnnotationStatus.TO_REVIEW, email=email
        )
        deliveries = await emit(
            WebhookEvent.EMAIL_RECEIVED,
            organization_id=email.organization_id,
            data=email_data(
                email_id=email.id, message_id=email.message_id, task_id=task.id
            ),
        )
        if bounced is not None:
            deliveries += await _record_bounce(bounced, parsed, now)
    return Imported(email, follow_ups, deliveries)


async def _bounced_email(inbox: Inbox, parsed: ParsedMessage) -> Email | None:
    """The outgoing email of the organization a DSN reports on, if it is one."""
    if parsed.report is None:
        return None
    return await original_email(
        inbox.organization_id,
        parsed.report.original_message_id,
        [*parsed.references, *parsed.in_reply_to],
    )


async def _record_bounce(
    email: Email, parsed: ParsedMessage, now: datetime
) -> list[int]:
    """BOUNCED when a recipient's block says `Action: failed` (delayed, delivered,
    relayed and expanded change nothing)."""
    assert parsed.report is not None
    failed = [r for r in parsed.report.recipients if r.action == "failed"]
    if not failed:
        return []
    first = failed[0]
    return await record_bounce(
        email, Failure(first.recipient, first.status, first.diagnostic), now=now
    )


async def _documents(
    email: Email,
    inbox: Inbox,
    attachments: list[Attachment],
    payload: dict[str, Any],
) -> tuple[dict[str, Document], list[Annotation]]:
    """One Document and one Annotation per accepted attachment: the documents by
    part id, and the annotations."""
    documents: dict[str, Document] = {}
    annotations: list[Annotation] = []
    for item in attachments:
        if item.outcome is not PartOutcome.DOCUMENT:
            continue
        document = await Document.create(
            organization_id=email.organization_id,
            email=email,
            original_file_name=item.filename,
            mime_type=item.mime_type,
            size=item.size,
            sha256=item.sha256,
            blob_key=item.blob_key or "",
        )
        # The annotation is visible only once this transaction commits, so it is
        # written ready for review (IMPORTING is never observable).
        annotation = await Annotation.create(
            organization_id=email.organization_id,
            queue_id=inbox.queue_id,
            document=document,
            email=email,
            email_thread_id=email.email_thread_id,
            status=AnnotationStatus.TO_REVIEW,
            metadata=payload.get("metadata") or {},
            values=payload.get("values") or {},
        )
        documents[item.part_id] = document
        annotations.append(annotation)
    return documents, annotations


def _finish_parts(parsed: ParsedMessage, documents: dict[str, Document]) -> None:
    by_part = {a.part_id: a for a in parsed.attachments}
    for part in parsed.parts:
        item = by_part.get(part["partId"])
        if item is None or item.outcome is None:
            continue
        part["outcome"] = item.outcome.value
        part["contentType"] = item.mime_type
        if item.outcome is PartOutcome.FILTERED_INLINE:
            part["blobKey"] = item.blob_key
        if (document := documents.get(part["partId"])) is not None:
            part["documentId"] = document.id


def _with_part_urls(email: Email, parsed: ParsedMessage) -> str:
    """The sanitized HTML, its inline images pointing at this email's part URLs."""
    if not parsed.part_url_mark:
        return parsed.safe_html
    return parsed.safe_html.replace(parsed.part_url_mark, email_part_url(email.id, ""))
