"""updateEmailTemplate (MANAGER): name, subject, message, an automatic template's
triggerStatuses and enabled (null leaves a value)."""

import strawberry

from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsManager
from app.graphql.templates.mutations.common import EmailTemplateResult
from app.graphql.templates.types import EmailTemplate
from app.templates import service as templates


@strawberry.input
class UpdateEmailTemplateInput:
    id: strawberry.ID
    name: str | None = None
    subject: str | None = None
    message: str | None = None
    trigger_statuses: list[AnnotationStatusEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="AUTOMATIC_STATUS_CHANGED_INFO only; replaces them."
    )
    enabled: bool | None = strawberry.field(
        default=None, description="AUTOMATIC_STATUS_CHANGED_INFO only."
    )


@strawberry.type
class UpdateEmailTemplate:
    @strawberry.mutation(permission_classes=[IsManager], extensions=[AsInputError()])
    async def update_email_template(
        self, info: Info, input: UpdateEmailTemplateInput
    ) -> EmailTemplateResult:
        row = await templates.update_template(
            organization_id=info.context.organization_id,
            template_id=decode_or_not_found(input.id, "EmailTemplate", field="id"),
            name=input.name,
            subject=input.subject,
            message=input.message,
            trigger_statuses=input.trigger_statuses,
            enabled=input.enabled,
        )
        return EmailTemplate.from_model(row)
