"""dismissEmail: DISMISSED status, optional annotation rejection and sender notice.

Idempotent by construction: the job changes the email only if it is not DISMISSED
yet (one conditional update inside the transaction); a second dismiss, or a re-run
of the same job, changes nothing and sends nothing.
"""

import logging
from datetime import UTC, datetime
from html import escape as html_escape

from arq.connections import ArqRedis
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from app.accounts.models import Organization, User
from app.core.errors import InvalidInput
from app.core.limits import limits
from app.documents.models import Annotation, AnnotationStatus
from app.inboxes.models import Inbox
from app.mail.bodies import sanitize_html, text_from_html
from app.mail.models import Email, EmailStatus, EmailType, Label
from app.mail.relations import EmailLabel
from app.mail.service import email_of, get_email, relate
from app.mail.subjects import reply_subject
from app.outbox.notices import queue_notice
from app.tasks.jobs import Outcome, task_job
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit
from app.templates.models import EmailTemplate, TemplateType
from app.templates.placeholders import build_context
from app.templates.rendering import render

log = logging.getLogger("mailroom.dismiss")
# Annotations already finished with are left as they are.
NOT_REJECTABLE = [
    AnnotationStatus.DELETED,
    AnnotationStatus.PURGED,
    AnnotationStatus.EXPORTED,
]


async def request_dismiss(
    redis: ArqRedis,
    *,
    organization_id: int,
    user: User,
    email_id: int,
    reject_annotations: bool,
    notify_sender: bool,
    reason: str | None,
) -> Task:
    email = await get_email(organization_id=organization_id, email_id=email_id)
    if reason is not None and len(reason) > limits().reason_chars:
        raise InvalidInput(
            f"reason is at most {limits().reason_chars} characters.", field="reason"
        )
    if notify_sender and not (email.type is EmailType.INCOMING and email.from_address):
        raise InvalidInput(
            "Only an incoming email with a sender can be answered.",
            field="notifySender",
        )
    return await submit(
        redis,
        organization_id=organization_id,
        kind=TaskKind.DISMISS_EMAIL,
        creator_id=user.id,
        email_id=email.id,
        payload={
            "reject_annotations": reject_annotations,
            "notify_sender": notify_sender,
            "reason": reason or "",
        },
    )


async def _dismiss_task(task: Task) -> Outcome:
    email = await email_of(task)
    # A MailroomError (e.g. a REJECTION template that does not render) fails it.
    async with in_transaction():
        changed, notice = await _dismiss(email, task)
    return Outcome(
        "dismissed" if changed else "unchanged",
        email_id=email.id,
        follow_ups=[notice] if notice is not None else [],
    )


dismiss_email_job = task_job("dismiss_email_job", _dismiss_task)


async def _dismiss(email: Email, task: Task) -> tuple[int, Task | None]:
    """Apply the dismissal unless the email is dismissed already; the notice's task."""
    changed = (
        await Email.filter(id=email.id)
        .exclude(status=EmailStatus.DISMISSED)
        .update(
            status=EmailStatus.DISMISSED,
            dismissed_at=datetime.now(UTC),
            dismissed_by_id=task.creator_id,
        )
    )
    notice = None
    rejected: list[int] = []
    if changed:
        if task.payload.get("reject_annotations"):
            rejected = await _reject_annotations(email)
        if task.payload.get("notify_sender"):
            notice = await _queue_rejection_notice(email, task)
            # The REJECTION email lists the annotations it rejected.
            await relate(
                await Email.get(id=notice.email_id),
                annotation_ids=rejected,
                document_ids=[],
            )
    return changed, notice


async def _reject_annotations(email: Email) -> list[int]:
    """The email's annotations REJECTED (those not finished with); their ids."""
    rejectable = Annotation.filter(email_id=email.id).exclude(status__in=NOT_REJECTABLE)
    ids = list(await rejectable.order_by("id").values_list("id", flat=True))
    await Annotation.filter(id__in=ids).update(
        status=AnnotationStatus.REJECTED, modified_at=datetime.now(UTC)
    )
    if not await EmailLabel.exists(email_id=email.id, label=Label.REJECTED):
        await EmailLabel.create(email_id=email.id, label=Label.REJECTED)
    return ids


async def _queue_rejection_notice(email: Email, task: Task) -> Task:
    """A REJECTION reply to the sender in the thread, from the organization's
    REJECTION template when it has one."""

    candidates = await EmailTemplate.filter(
        Q(queue_id=email.queue_id) | Q(queue_id=None),
        organization_id=email.organization_id,
        type=TemplateType.REJECTION,
    ).order_by("-id")
    # The queue's own template wins over an organization-wide one.
    template = min(candidates, key=lambda t: t.queue_id is None, default=None)
    user = await User.get_or_none(id=task.creator_id) if task.creator_id else None
    context = build_context(
        organization=await Organization.get(id=email.organization_id),
        user=user or User(full_name="", email=""),
        parent=email,
        annotations=[],
        custom={"reason": task.payload.get("reason", "")},
    )
    if template is not None:
        subject = render(
            template.subject or reply_subject(email.subject),
            context,
            html=False,
            field="template",
        )
        html = sanitize_html(
            render(template.message, context, html=True, field="template"), cid_url={}
        )
        await EmailTemplate.filter(id=template.id).update(
            times_used=F("times_used") + 1, last_used_at=datetime.now(UTC)
        )
    else:
        subject = reply_subject(email.subject)
        reason = task.payload.get("reason", "")
        html = "<p>Your message was reviewed and rejected.</p>" + (
            f"<p>Reason: {html_escape(reason)}</p>" if reason else ""
        )
    inbox = await Inbox.get_or_none(id=email.inbox_id) if email.inbox_id else None
    sender = inbox.email if inbox else email.to[0]["email"] if email.to else ""
    return await queue_notice(
        email,
        sender={"email": sender, "name": inbox.name if inbox else ""},
        subject=subject,
        html=html,
        text=text_from_html(html),
        label=Label.REJECTION,
        creator_id=task.creator_id,
    )
