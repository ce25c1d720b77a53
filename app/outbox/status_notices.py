"""AUTOMATIC_STATUS_CHANGED_INFO: an annotation moved into a status an enabled template
of its queue triggers on, so the sender of the email it came with gets that
template, through the send pipeline.

Once per annotation and status: a StatusChangeNotice row (unique) is written with the
notice, in the transaction that changed the status; a job re-run, a race or a status
that comes back later sends nothing twice. RFC 3834: the notice says
`Auto-Submitted: auto-generated`, and automatic mail (Auto-Submitted, Precedence
bulk/list/junk, list headers, an empty Return-Path) or a no-reply sender gets none.
"""

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.accounts.models import Organization, User
from app.documents.models import Annotation, AnnotationStatus
from app.mail.bodies import text_from_html
from app.mail.headers import answerable_automatically
from app.mail.models import Email, EmailType, Label
from app.mail.service import relate
from app.mail.subjects import reply_subject
from app.outbox.notices import queue_notice, render_notice, reply_sender
from app.tasks.models import Task
from app.templates.models import EmailTemplate, StatusChangeNotice, TemplateType
from app.templates.placeholders import annotation_context, build_context
from app.templates.service import count_use, notice_template

AUTOMATIC = {"Auto-Submitted": "auto-generated"}


async def queue_status_notices(
    annotation_ids: list[int], status: AnnotationStatus
) -> list[Task]:
    """The notices the annotations' move into `status` sends (QUEUED, with their send
    Tasks for the caller to enqueue once its transaction commits)."""
    annotations = await Annotation.filter(id__in=annotation_ids).order_by("id")
    return await status_notices(annotations, status)


async def status_notices(
    annotations: list[Annotation],
    status: AnnotationStatus,
    *,
    email: Email | None = None,
) -> list[Task]:
    """queue_status_notices for annotations the caller holds (an import: the ones it
    just wrote, with `email`, theirs). A queue without a template for `status`, the
    usual case, costs one statement whatever the annotations."""
    tasks = []
    templates: dict[int, EmailTemplate | None] = {}
    for annotation in annotations:
        if annotation.queue_id not in templates:
            templates[annotation.queue_id] = await notice_template(
                organization_id=annotation.organization_id,
                queue_id=annotation.queue_id,
                type=TemplateType.AUTOMATIC_STATUS_CHANGED_INFO,
                trigger=status,
            )
        template = templates[annotation.queue_id]
        if template is None:
            continue
        if email is None or email.id != annotation.email_id:
            email = await _email(annotation)
        task = await _notice(annotation, status, template, email)
        if task is not None:
            tasks.append(task)
    return tasks


async def _email(annotation: Annotation) -> Email | None:
    if annotation.email_id is None:
        return None
    return await Email.get_or_none(id=annotation.email_id)


async def _notice(
    annotation: Annotation,
    status: AnnotationStatus,
    template: EmailTemplate,
    email: Email | None,
) -> Task | None:
    if email is None or not _answerable(email):
        return None
    sender = await reply_sender(email)
    if sender["email"].lower() == email.from_address:
        return None  # our own address: never a loop
    if await StatusChangeNotice.exists(annotation_id=annotation.id, status=status):
        return None
    try:
        async with in_transaction():  # a savepoint: a lost race leaves the rest
            claim = await StatusChangeNotice.create(
                annotation_id=annotation.id, status=status.value
            )
    except IntegrityError:
        return None
    context = build_context(
        organization=await Organization.get(id=annotation.organization_id),
        user=User(full_name="", email="", username=""),  # nobody sends it
        parent=email,
        annotations=[await annotation_context(annotation)],
        custom={},
    )
    subject, html = render_notice(
        template, context, default_subject=reply_subject(email.subject)
    )
    task = await queue_notice(
        email,
        sender=sender,
        subject=subject,
        html=html,
        text=text_from_html(html),
        label=Label.AUTOMATIC_STATUS_CHANGED_INFO,
        creator_id=None,
        headers=AUTOMATIC,
    )
    notice = await Email.get(id=task.email_id)
    await relate(notice, annotation_ids=[annotation.id], document_ids=[])
    await StatusChangeNotice.filter(id=claim.id).update(email_id=notice.id)
    await count_use(template)
    return task


def _answerable(email: Email) -> bool:
    if email.type is not EmailType.INCOMING:
        return False
    headers = [(h["name"], h["value"]) for h in email.message_headers or []]
    return answerable_automatically(email.from_address, headers)
