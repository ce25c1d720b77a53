"""Automatic replies the import queues (they go out through the send pipeline)."""

from email.utils import make_msgid

from app.inboxes.models import Inbox
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailThread,
    EmailType,
    Label,
    ThreadMatchMethod,
)
from app.mail.service import NewEmail, record_email
from app.mail.subjects import reply_subject
from app.tasks.models import Task, TaskKind

NO_DOCUMENTS_TEXT = (
    "Thank you for your message. We could not find any attachment we can process, "
    "so it was not imported. Please send the documents as attachments."
)


async def queue_automatic_rejection(incoming: Email, inbox: Inbox) -> Task:
    """An AUTOMATIC_REJECTION reply to the sender, QUEUED, in the incoming thread, and
    the send Task for it (the caller enqueues it once its transaction commits)."""
    thread = await EmailThread.get(id=incoming.email_thread_id)
    reply = await record_email(
        NewEmail(
            organization_id=incoming.organization_id,
            queue_id=incoming.queue_id,
            type=EmailType.OUTGOING,
            subject=reply_subject(incoming.subject),
            from_address=inbox.email,
            from_name=inbox.name,
            to=[{"email": incoming.from_address, "name": incoming.from_name}],
            labels=[Label.AUTOMATIC_REJECTION],
            extra={
                "parent_id": incoming.id,
                "inbox_id": None,
                "message_id": make_msgid(domain=inbox.email.rpartition("@")[2]),
                "in_reply_to": [incoming.message_id] if incoming.message_id else [],
                "references": [*incoming.references, incoming.message_id]
                if incoming.message_id
                else list(incoming.references),
                "body_text_plain": NO_DOCUMENTS_TEXT,
                "delivery_status": DeliveryStatus.QUEUED,
                # RFC 3834: marks it automatic, so other systems do not answer it.
                "headers": {"Auto-Submitted": "auto-replied"},
                "unread": False,
                "thread_match_email_id": incoming.id,
            },
        ),
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO,
    )
    return await Task.create(
        organization_id=incoming.organization_id,
        kind=TaskKind.SEND_EMAIL,
        email_id=reply.id,
        payload={"html": "", "text": NO_DOCUMENTS_TEXT},
    )
