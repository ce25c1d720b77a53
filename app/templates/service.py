"""Email templates: stored subject and HTML message with placeholders."""

from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.expressions import F, Q

from app.core.errors import InvalidInput, NotFound
from app.core.limits import limits
from app.core.validation import no_line_breaks
from app.documents.models import AnnotationStatus
from app.inboxes.service import get_queue
from app.templates.expansion import check_saved
from app.templates.models import EmailTemplate, TemplateType

AUTOMATIC = TemplateType.AUTOMATIC_STATUS_CHANGED_INFO
# Only the import sets IMPORTING: no annotation "moves into" it.
NOT_TRIGGERS = {AnnotationStatus.IMPORTING}


def _check(
    name: str | None,
    subject: str | None,
    message: str | None,
    type: TemplateType,
) -> None:
    if name is not None and not (0 < len(name.strip()) <= 200):
        raise InvalidInput("Name must be 1 to 200 characters.", field="name")
    if subject is not None:
        no_line_breaks(subject, field="subject")
        if len(subject) > limits().subject_chars:
            raise InvalidInput(
                f"Subject is at most {limits().subject_chars} characters.",
                field="subject",
            )
    if message is not None and len(message.encode()) > limits().template_message_bytes:
        raise InvalidInput(
            f"Message is at most {limits().template_message_bytes} bytes.",
            field="message",
        )
    if subject is not None:
        check_saved(subject, html=False, type=type, field="subject")
    if message is not None:
        check_saved(message, html=True, type=type, field="message")


def _automation(
    type: TemplateType,
    trigger_statuses: Sequence[AnnotationStatus] | None,
    enabled: bool | None,
) -> list[str] | None:
    """The trigger statuses to store (None: unchanged); only an
    AUTOMATIC_STATUS_CHANGED_INFO template has them, and `enabled`."""
    if type is not AUTOMATIC:
        for value, name in (
            (trigger_statuses, "triggerStatuses"),
            (enabled, "enabled"),
        ):
            if value is not None:
                raise InvalidInput(
                    f"Only an {AUTOMATIC.value} template has {name}.", field=name
                )
        return None
    if trigger_statuses is None:
        return None
    wrong = [s.value for s in trigger_statuses if s in NOT_TRIGGERS]
    if wrong:
        raise InvalidInput(
            f"{', '.join(wrong)} cannot trigger a notice (only the import sets it).",
            field="triggerStatuses",
        )
    return [AnnotationStatus(s).value for s in dict.fromkeys(trigger_statuses)]


async def create_template(
    *,
    organization_id: int,
    name: str,
    subject: str,
    message: str,
    queue_id: int | None,
    type: TemplateType = TemplateType.CUSTOM,
    trigger_statuses: Sequence[AnnotationStatus] | None = None,
    enabled: bool | None = None,
) -> EmailTemplate:
    _check(name, subject, message, type)
    triggers = _automation(type, trigger_statuses, enabled)
    if queue_id is not None:
        await get_queue(organization_id=organization_id, queue_id=queue_id)
    return await EmailTemplate.create(
        organization_id=organization_id,
        name=name.strip(),
        subject=subject,
        message=message,
        queue_id=queue_id,
        type=type,
        trigger_statuses=triggers or [],
        enabled=True if enabled is None else enabled,
    )


async def update_template(
    *,
    organization_id: int,
    template_id: int,
    name: str | None = None,
    subject: str | None = None,
    message: str | None = None,
    trigger_statuses: Sequence[AnnotationStatus] | None = None,
    enabled: bool | None = None,
) -> EmailTemplate:
    template = await EmailTemplate.get_or_none(
        id=template_id, organization_id=organization_id
    )
    if template is None:
        raise NotFound("No such email template.", field="id")
    _check(name, subject, message, template.type)
    triggers = _automation(template.type, trigger_statuses, enabled)
    if triggers is not None:
        template.trigger_statuses = triggers
    if enabled is not None:
        template.enabled = enabled
    if name is not None:
        template.name = name.strip()
    if subject is not None:
        template.subject = subject
    if message is not None:
        template.message = message
    await template.save()
    return template


async def notice_template(
    *,
    organization_id: int,
    queue_id: int,
    type: TemplateType,
    trigger: AnnotationStatus | None = None,
) -> EmailTemplate | None:
    """The template of a notice Mailroom sends: the queue's own wins over an
    organization-wide one, the newest of each; with `trigger`, only enabled ones
    that trigger on it."""
    candidates = await EmailTemplate.filter(
        Q(queue_id=queue_id) | Q(queue_id=None),
        organization_id=organization_id,
        type=type,
    ).order_by("-id")
    if trigger is not None:
        candidates = [
            t for t in candidates if t.enabled and trigger.value in t.trigger_statuses
        ]
    return min(candidates, key=lambda t: t.queue_id is None, default=None)


async def count_use(template: EmailTemplate) -> None:
    """One more use of the template (its stats)."""
    await EmailTemplate.filter(id=template.id).update(
        times_used=F("times_used") + 1, last_used_at=datetime.now(UTC)
    )
