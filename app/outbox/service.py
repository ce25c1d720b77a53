"""sendEmail: store the outgoing Email and its Task, enqueue.

The Email exists (QUEUED or SCHEDULED, with its final Message-ID) when this returns;
the send job only delivers it. Checking and rendering is `drafting`'s.
"""

from datetime import UTC, datetime
from email.utils import make_msgid

from arq.connections import ArqRedis
from tortoise.expressions import F

from app.accounts.models import Organization
from app.core.errors import ErrorCode, InvalidInput
from app.core.limits import limits
from app.documents.service import store_document
from app.mail.bodies import truncate_utf8
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailThread,
    EmailType,
    ThreadMatchMethod,
)
from app.mail.service import Delivery, NewEmail, record_email, relate
from app.outbox import drafting
from app.outbox.allowance import send_limit_left
from app.outbox.drafting import Draft, SendRequest
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit, task_for_key
from app.templates.models import EmailTemplate


async def request_send(redis: ArqRedis, req: SendRequest) -> Task:
    earlier = await task_for_key(
        organization_id=req.organization_id,
        kind=TaskKind.SEND_EMAIL,
        idempotency_key=req.idempotency_key,
    )
    if earlier is not None:
        return earlier  # answered before rendering anything again
    organization = await Organization.get(id=req.organization_id)
    draft = await drafting.draft(req, organization)
    # The full rendered bodies (Email keeps 4 kB of each for display) and what to
    # attach: _store adds the new files' Documents before the Task row is written.
    payload = {
        "html": draft.html,
        "text": draft.text,
        "attach_document_ids": [d.id for d in draft.attach],
    }
    return await submit(
        redis,
        kind=TaskKind.SEND_EMAIL,
        organization_id=req.organization_id,
        creator_id=req.user.id,
        idempotency_key=req.idempotency_key,
        defer_until=draft.send_at,
        payload=payload,
        prepare=lambda: _store(req, organization, draft, payload),
    )


async def _store(
    req: SendRequest, organization: Organization, draft: Draft, payload: dict
) -> int:
    """The email, its new files and its relations (in the transaction of its Task,
    which `submit` writes after this, with `payload`); its id."""
    if organization.send_limit is not None:
        await Organization.select_for_update().get(id=organization.id)
        if await send_limit_left(organization) == 0:
            raise InvalidInput(
                f"The send limit ({organization.send_limit}) is used up.",
                code=ErrorCode.RATE_LIMITED,
            )
    email = await _record(req, draft)
    for new in draft.new_attachments:
        document = await store_document(
            organization_id=req.organization_id,
            email_id=email.id,
            data=new.data,
            file_name=new.filename,
            mime_type=new.content_type,
        )
        payload["attach_document_ids"].append(document.id)
    await relate(
        email,
        annotation_ids=[a.id for a in draft.related],
        document_ids=[d.id for d in draft.related_documents],
        reset_thread=req.reset_related_annotations_email_thread,
    )
    if draft.template is not None:
        await EmailTemplate.filter(id=draft.template.id).update(
            times_used=F("times_used") + 1, last_used_at=datetime.now(UTC)
        )
    return email.id


async def _record(req: SendRequest, draft: Draft) -> Email:
    parent = draft.parent
    limit = limits().body_max_bytes
    stored_text, text_cut = truncate_utf8(draft.text, limit)
    stored_html, html_cut = truncate_utf8(draft.html, limit)
    thread = (
        await EmailThread.get(id=parent.email_thread_id)
        if parent and parent.email_thread_id
        else None
    )
    references = (
        [*parent.references, parent.message_id] if parent and parent.message_id else []
    )
    return await record_email(
        NewEmail(
            organization_id=req.organization_id,
            queue_id=draft.queue_id,
            # Known from the draft: record_email need not look it up by address.
            inbox_id=draft.sender_inbox_id,
            type=EmailType.OUTGOING,
            subject=draft.subject,
            from_address=draft.sender["email"],
            from_name=draft.sender["name"],
            to=[r.as_dict() for r in draft.recipients["to"]],
            cc=[r.as_dict() for r in draft.recipients["cc"]],
            bcc=[r.as_dict() for r in draft.recipients["bcc"]],
            labels=draft.labels,
            creator_id=req.user.id,
            parent_id=parent.id if parent else None,
            thread_match_email_id=parent.id if parent else None,
            message_id=make_msgid(domain=draft.sender["email"].rpartition("@")[2]),
            in_reply_to=[parent.message_id] if parent and parent.message_id else [],
            references=references,
            body_text_plain=stored_text,
            body_text_html=stored_html,
            body_truncated=text_cut or html_cut,
            headers=draft.headers,
            unread=False,
            delivery=Delivery(
                delivery_status=DeliveryStatus.SCHEDULED
                if draft.send_at
                else DeliveryStatus.QUEUED,
                send_at=draft.send_at,
                send_before=draft.send_before,
                idempotency_key=req.idempotency_key,
            ),
        ),
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO
        if thread
        else ThreadMatchMethod.NEW_THREAD,
    )
