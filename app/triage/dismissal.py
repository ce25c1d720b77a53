"""dismissEmail: DISMISSED status, optional annotation rejection and sender notice.

Idempotent by construction: the job changes the email only if it is not DISMISSED
yet (one conditional update inside the transaction); a second dismiss, or a re-run
of the same job, changes nothing and sends nothing.
"""

import logging
from datetime import UTC, datetime
from html import escape as html_escape

from arq.connections import ArqRedis
from tortoise.transactions import in_transaction

from app.accounts.models import Organization, User
from app.core.errors import InvalidInput
from app.core.limits import limits
from app.documents.models import Annotation, AnnotationStatus
from app.mail.bodies import text_from_html
from app.mail.models import Email, EmailStatus, EmailType, Label
from app.mail.relations import EmailLabel
from app.mail.service import email_of, get_email, relate
from app.mail.subjects import reply_subject
from app.outbox.notices import queue_notice, render_notice, reply_sender
from app.outbox.status_notices import queue_status_notices
from app.tasks.jobs import Outcome, task_job
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit
from app.templates.models import TemplateType
from app.templates.placeholders import build_context
from app.templates.service import count_use, notice_template

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
    if email.type is not EmailType.INCOMING:
        # Triage is for mail that came in; a sent email is cancelled, not dismissed.
        raise InvalidInput(
            "Only an incoming email can be dismissed (use cancelEmail for a "
            "waiting outgoing one).",
            field="id",
        )
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
        changed, notices = await _dismiss(email, task)
    return Outcome(
        "dismissed" if changed else "unchanged", email_id=email.id, follow_ups=notices
    )


dismiss_email_job = task_job("dismiss_email_job", _dismiss_task)


async def _dismiss(email: Email, task: Task) -> tuple[int, list[Task]]:
    """Apply the dismissal unless the email is dismissed already; the send tasks of
    the notices it causes (REJECTION, and the status notices of the rejected)."""
    changed = (
        await Email.filter(id=email.id)
        .exclude(status=EmailStatus.DISMISSED)
        .update(
            status=EmailStatus.DISMISSED,
            dismissed_at=datetime.now(UTC),
            dismissed_by_id=task.creator_id,
        )
    )
    notices: list[Task] = []
    rejected: list[int] = []
    if changed:
        if task.payload.get("reject_annotations"):
            rejected, moved = await _reject_annotations(email)
            notices += await queue_status_notices(moved, AnnotationStatus.REJECTED)
        if task.payload.get("notify_sender"):
            notice = await _queue_rejection_notice(email, task)
            # The REJECTION email lists the annotations it rejected.
            await relate(
                await Email.get(id=notice.email_id),
                annotation_ids=rejected,
                document_ids=[],
            )
            notices.insert(0, notice)
    return changed, notices


async def _reject_annotations(email: Email) -> tuple[list[int], list[int]]:
    """The email's annotations REJECTED (those not finished with): their ids, and
    those of the ones that were not REJECTED before."""
    rejectable = Annotation.filter(email_id=email.id).exclude(status__in=NOT_REJECTABLE)
    rows = await rejectable.order_by("id").values_list("id", "status")
    ids = [pk for pk, _ in rows]
    await Annotation.filter(id__in=ids).update(
        status=AnnotationStatus.REJECTED, modified_at=datetime.now(UTC)
    )
    if not await EmailLabel.exists(email_id=email.id, label=Label.REJECTED):
        await EmailLabel.create(email_id=email.id, label=Label.REJECTED)
    return ids, [pk for pk, status in rows if status != AnnotationStatus.REJECTED]


async def _queue_rejection_notice(email: Email, task: Task) -> Task:
    """A REJECTION reply to the sender in the thread, from the organization's
    REJECTION template when it has one."""

    template = await notice_template(
        organization_id=email.organization_id,
        queue_id=email.queue_id,
        type=TemplateType.REJECTION,
    )
    user = await User.get_or_none(id=task.creator_id) if task.creator_id else None
    context = build_context(
        organization=await Organization.get(id=email.organization_id),
        user=user or User(full_name="", email=""),
        parent=email,
        annotations=[],
        custom={"reason": task.payload.get("reason", "")},
    )
    if template is not None:
        subject, html = render_notice(
            template, context, default_subject=reply_subject(email.subject)
        )
        await count_use(template)
    else:
        subject = reply_subject(email.subject)
        reason = task.payload.get("reason", "")
        html = "<p>Your message was reviewed and rejected.</p>" + (
            f"<p>Reason: {html_escape(reason)}</p>" if reason else ""
        )
    return await queue_notice(
        email,
        sender=await reply_sender(email),
        subject=subject,
        html=html,
        text=text_from_html(html),
        label=Label.REJECTION,
        creator_id=task.creator_id,
    )
