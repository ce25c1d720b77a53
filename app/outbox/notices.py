"""Notices Mailroom sends in reply to an incoming email (automatic rejections from
the import, rejection notices from dismissEmail), through the send pipeline."""

from email.utils import make_msgid
from typing import Any

from app.core.limits import limits
from app.inboxes.models import Inbox
from app.mail.bodies import sanitize_html, truncate_utf8
from app.mail.models import (
    Email,
    EmailThread,
    EmailType,
    Label,
    ThreadMatchMethod,
)
from app.mail.service import Delivery, NewEmail, record_email
from app.mail.subjects import reply_subject
from app.tasks.models import Task, TaskKind
from app.tasks.service import new_task
from app.templates.models import EmailTemplate
from app.templates.rendering import render

NO_DOCUMENTS_TEXT = (
    "Thank you for your message. We could not find any attachment we can process, "
    "so it was not imported. Please send the documents as attachments."
)


async def queue_automatic_rejection(incoming: Email, inbox: Inbox) -> Task:
    """An AUTOMATIC_REJECTION reply to the sender, QUEUED, in the incoming thread, and
    the send Task for it (the caller enqueues it once its transaction commits)."""
    return await queue_notice(
        incoming,
        sender={"email": inbox.email, "name": inbox.name},
        subject=reply_subject(incoming.subject),
        html="",
        text=NO_DOCUMENTS_TEXT,
        label=Label.AUTOMATIC_REJECTION,
        creator_id=None,
        # RFC 3834: marks it automatic, so other systems do not answer it.
        headers={"Auto-Submitted": "auto-replied"},
    )


async def reply_sender(incoming: Email) -> dict[str, str]:
    """Who a notice about `incoming` comes from: the inbox it arrived at."""
    inbox = await Inbox.get_or_none(id=incoming.inbox_id) if incoming.inbox_id else None
    if inbox is not None:
        return {"email": inbox.email, "name": inbox.name}
    return {"email": incoming.to[0]["email"] if incoming.to else "", "name": ""}


def render_notice(
    template: EmailTemplate, context: dict[str, Any], *, default_subject: str
) -> tuple[str, str]:
    """A notice's subject and sanitized HTML from a stored template."""
    subject = render(
        template.subject or default_subject, context, html=False, field="template"
    )
    html = sanitize_html(
        render(template.message, context, html=True, field="template"), cid_url={}
    )
    return subject, html


async def queue_notice(
    incoming: Email,
    *,
    sender: dict[str, str],
    subject: str,
    html: str,
    text: str,
    label: Label,
    creator_id: int | None,
    headers: dict[str, str] | None = None,
) -> Task:
    """A notice replying to `incoming` in its thread (QUEUED), and its send Task."""
    limit = limits().body_max_bytes
    thread = await EmailThread.get(id=incoming.email_thread_id)
    references = list(incoming.references)
    if incoming.message_id:
        references.append(incoming.message_id)
    reply = await record_email(
        NewEmail(
            organization_id=incoming.organization_id,
            queue_id=incoming.queue_id,
            type=EmailType.OUTGOING,
            subject=" ".join(subject.split()),
            from_address=sender["email"],
            from_name=sender["name"],
            to=[{"email": incoming.from_address, "name": incoming.from_name}],
            labels=[label],
            parent_id=incoming.id,
            thread_match_email_id=incoming.id,
            creator_id=creator_id,
            message_id=make_msgid(
                domain=sender["email"].rpartition("@")[2] or "localhost"
            ),
            in_reply_to=[incoming.message_id] if incoming.message_id else [],
            references=references,
            body_text_plain=truncate_utf8(text, limit)[0],
            body_text_html=truncate_utf8(html, limit)[0],
            headers=headers or {},
            unread=False,
            delivery=Delivery(),
        ),
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO,
    )
    return await new_task(
        organization_id=incoming.organization_id,
        kind=TaskKind.SEND_EMAIL,
        creator_id=creator_id,
        email_id=reply.id,
        payload={"html": html, "text": text},
    )
