"""Email templates: stored subject and HTML message with placeholders."""

from app.core.errors import InvalidInput, NotFound
from app.core.limits import limits
from app.core.validation import no_line_breaks
from app.inboxes.service import get_queue
from app.templates.expansion import check_saved
from app.templates.models import EmailTemplate, TemplateType


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


async def create_template(
    *,
    organization_id: int,
    name: str,
    subject: str,
    message: str,
    queue_id: int | None,
    type: TemplateType = TemplateType.CUSTOM,
) -> EmailTemplate:
    _check(name, subject, message, type)
    if queue_id is not None:
        await get_queue(organization_id=organization_id, queue_id=queue_id)
    return await EmailTemplate.create(
        organization_id=organization_id,
        name=name.strip(),
        subject=subject,
        message=message,
        queue_id=queue_id,
        type=type,
    )


async def update_template(
    *,
    organization_id: int,
    template_id: int,
    name: str | None = None,
    subject: str | None = None,
    message: str | None = None,
) -> EmailTemplate:
    template = await EmailTemplate.get_or_none(
        id=template_id, organization_id=organization_id
    )
    if template is None:
        raise NotFound("No such email template.", field="id")
    _check(name, subject, message, template.type)
    if name is not None:
        template.name = name.strip()
    if subject is not None:
        template.subject = subject
    if message is not None:
        template.message = message
    await template.save()
    return template
