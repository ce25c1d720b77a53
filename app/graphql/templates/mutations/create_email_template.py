"""createEmailTemplate (MANAGER): a template, optionally of one queue."""

import strawberry

from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum, TemplateTypeEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import optional_pk
from app.graphql.permissions import IsManager
from app.graphql.templates.mutations.common import EmailTemplateResult
from app.graphql.templates.types import EmailTemplate
from app.templates import service as templates
from app.templates.models import TemplateType


@strawberry.input
class CreateEmailTemplateInput:
    name: str
    type: TemplateTypeEnum = strawberry.field(  # type: ignore[valid-type]
        default=TemplateType.CUSTOM,
        description=(
            "REJECTION templates are used by dismissEmail(notifySender); "
            "AUTOMATIC_STATUS_CHANGED_INFO ones are sent by themselves (see "
            "triggerStatuses)."
        ),
    )
    subject: str = ""
    message: str = ""
    queue: strawberry.ID | None = None
    trigger_statuses: list[AnnotationStatusEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description=(
            "AUTOMATIC_STATUS_CHANGED_INFO only: when an annotation of the queue "
            "(any queue without one) moves into one of these, its email's sender "
            "gets this template, once per annotation and status."
        ),
    )
    enabled: bool | None = strawberry.field(
        default=None,
        description="AUTOMATIC_STATUS_CHANGED_INFO only: whether it is sent (true).",
    )


@strawberry.type
class CreateEmailTemplate:
    @strawberry.mutation(permission_classes=[IsManager], extensions=[AsInputError()])
    async def create_email_template(
        self, info: Info, input: CreateEmailTemplateInput
    ) -> EmailTemplateResult:
        row = await templates.create_template(
            organization_id=info.context.organization_id,
            name=input.name,
            subject=input.subject,
            message=input.message,
            queue_id=optional_pk(input.queue, "Queue", field="queue"),
            type=input.type,
            trigger_statuses=input.trigger_statuses,
            enabled=input.enabled,
        )
        return EmailTemplate.from_model(row)
