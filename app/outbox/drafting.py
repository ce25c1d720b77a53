"""sendEmail's input, checked and rendered: every InvalidInput names its field, and
nothing is stored until all of it is right."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.accounts.models import Organization, User
from app.core.errors import ErrorCode, InvalidInput, NotFound
from app.core.limits import limits
from app.documents.models import Annotation, Document
from app.inboxes.service import get_queue
from app.mail.models import (
    Email,
    Label,
)
from app.outbox.attachments import NewAttachment, clean_attachments
from app.outbox.content import TEXT_KEYS, Texts, render_content
from app.outbox.recipients import (
    Recipient,
    clean_headers,
    clean_recipients,
)
from app.outbox.sender import as_sender, chosen_sender, configured_sender, default_inbox
from app.templates.expansion import placeholders
from app.templates.models import EmailTemplate
from app.templates.placeholders import annotation_context, build_context


@dataclass
class SendRequest:
    organization_id: int
    user: User
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    bcc: list[tuple[str, str]] = field(default_factory=list)
    queue_id: int | None = None
    from_address: str | None = None
    # The typed subject, message and text win over templateValues' keys.
    texts: Texts = field(default_factory=Texts)
    template_values: Any = None
    template_id: int | None = None
    parent_email_id: int | None = None
    related_annotation_ids: list[int] = field(default_factory=list)
    related_document_ids: list[int] = field(default_factory=list)
    attach_document_ids: list[int] = field(default_factory=list)
    attachments: list[NewAttachment] = field(default_factory=list)
    reset_related_annotations_email_thread: bool = False
    labels: list[Label] = field(default_factory=list)
    headers: Any = None
    send_at: datetime | None = None
    send_before: datetime | None = None
    idempotency_key: str | None = None


@dataclass
class Draft:
    """Everything checked and rendered, ready to be stored."""

    queue_id: int
    parent: Email | None
    recipients: dict[str, list[Recipient]]
    subject: str
    html: str
    text: str
    labels: list[Label]
    headers: dict[str, str]
    send_at: datetime | None
    send_before: datetime | None
    sender: dict[str, str]
    # The inbox it goes out from (the Email's inbox); None for MAIL_FROM.
    sender_inbox_id: int | None
    related: list[Annotation]
    related_documents: list[Document]
    attach: list[Document]
    new_attachments: list[NewAttachment]
    template: EmailTemplate | None


async def draft(req: SendRequest, organization: Organization) -> Draft:
    """Validate every input (InvalidInput naming its field) and render."""
    org = req.organization_id
    recipients = clean_recipients(
        {"to": req.to, "cc": req.cc, "bcc": req.bcc},
        max_recipients=limits().max_recipients,
    )
    headers = clean_headers(req.headers)
    send_at, send_before = _schedule(req.send_at, req.send_before)
    values = _template_values(req.template_values)
    chosen = await chosen_sender(org, req.from_address)
    new_attachments = clean_attachments(req.attachments)
    parent = await _one(Email, org, req.parent_email_id, "parentEmail")
    queue_id = req.queue_id or (parent.queue_id if parent else None)
    if queue_id is None:
        raise InvalidInput(
            "Give a queue (or a parentEmail to reply to).", field="queue"
        )
    await _check_queue(org, queue_id)
    template = await _one(EmailTemplate, org, req.template_id, "emailTemplate")
    related = await _many(
        Annotation, org, req.related_annotation_ids, "relatedAnnotations"
    )
    related_documents = await _many(
        Document, org, req.related_document_ids, "relatedDocuments"
    )
    attach = await _many(Document, org, req.attach_document_ids, "attachDocuments")
    forwarding = Label.FORWARDED in req.labels
    if forwarding and parent is None:
        raise InvalidInput("A forward needs a parentEmail.", field="labels")
    if forwarding and parent is not None:
        carried = [
            d for d in await Document.filter(email_id=parent.id) if d not in attach
        ]
        attach += carried
        # A forward lists what it carried among its related documents.
        related_documents += [d for d in carried if d not in related_documents]
    built_in = build_context(
        organization=organization,
        user=req.user,
        parent=parent,
        annotations=[await annotation_context(a) for a in related],
        custom={},
    )
    custom = {k: v for k, v in values.items() if k not in TEXT_KEYS}
    content = render_content(
        req.texts,
        values,
        template,
        parent=parent,
        forwarding=forwarding,
        placeholders=placeholders(built_in, custom),
    )
    _check_size(content.html, content.text, attach, new_attachments)
    reply = [Label.REPLY] if parent and not forwarding else []
    inbox = chosen or await default_inbox(queue_id, parent)
    return Draft(
        queue_id=queue_id,
        parent=parent,
        recipients=recipients,
        subject=content.subject,
        html=content.html,
        text=content.text,
        labels=list(dict.fromkeys([*req.labels, *reply])),
        headers=headers,
        send_at=send_at,
        send_before=send_before,
        sender=as_sender(inbox) if inbox else configured_sender(),
        sender_inbox_id=inbox.id if inbox else None,
        related=related,
        related_documents=related_documents,
        attach=attach,
        new_attachments=new_attachments,
        template=template,
    )


def _schedule(send_at: datetime | None, send_before: datetime | None):
    now = datetime.now(UTC)
    send_at = _utc(send_at)
    send_before = _utc(send_before)
    if send_before is not None and send_before <= now:
        raise InvalidInput("sendBefore is in the past.", field="sendBefore")
    if send_at is not None and send_before is not None and send_at >= send_before:
        raise InvalidInput("sendAt must be before sendBefore.", field="sendAt")
    if send_at is not None and send_at <= now:
        send_at = None  # "now" or the past: send at once
    return send_at, send_before


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return (
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    )


def _template_values(values: Any) -> dict[str, Any]:
    if values is None:
        return {}
    most = limits().template_custom_keys
    if not isinstance(values, dict) or len(values) > most:
        raise InvalidInput(
            f"templateValues must be an object of at most {most} keys.",
            field="templateValues",
        )
    for key in TEXT_KEYS:
        if key in values and not isinstance(values[key], str):
            raise InvalidInput(
                f"templateValues.{key} must be a string.", field=f"templateValues.{key}"
            )
    if not all(isinstance(k, str) and k.isidentifier() for k in values):
        raise InvalidInput(
            "templateValues keys must be identifiers.", field="templateValues"
        )
    return values


async def _one(model: Any, organization_id: int, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    row = await model.get_or_none(id=pk, organization_id=organization_id)
    if row is None:
        raise NotFound(f"No such {model.__name__}.", field=field)
    return row


async def _many(
    model: Any, organization_id: int, pks: list[int], field: str
) -> list[Any]:
    wanted = list(dict.fromkeys(pks))
    if not wanted:
        return []  # no query for what the send does not name
    rows = {
        r.id: r
        for r in await model.filter(id__in=wanted, organization_id=organization_id)
    }
    if len(rows) != len(wanted):
        raise NotFound(f"Some {field} do not exist.", field=field)
    return [rows[pk] for pk in wanted]


async def _check_queue(organization_id: int, queue_id: int) -> None:

    await get_queue(organization_id=organization_id, queue_id=queue_id)


def _check_size(
    html: str, text: str, attach: list[Document], new: list[NewAttachment]
) -> None:
    limit = limits().max_message_bytes
    # base64 makes attachments a third larger on the wire.
    size = (
        len(html.encode())
        + len(text.encode())
        + sum(d.size * 4 // 3 for d in attach)
        + sum(len(a.data) * 4 // 3 for a in new)
    )
    if size > limit:
        raise InvalidInput(
            f"The message would be about {size} bytes; the limit is {limit}.",
            field="attachments" if new else "attachDocuments",
            code=ErrorCode.PAYLOAD_TOO_LARGE,
        )
