"""createEmailTemplate, updateEmailTemplate."""

from typing import Annotated

import strawberry

from app.core.ids import decode_or_not_found
from app.graphql.context import Info
from app.graphql.enums import TemplateTypeEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsManager
from app.graphql.types.common import InputError
from app.graphql.types.templates import EmailTemplate
from app.templates import service as templates
from app.templates.models import TemplateType


@strawberry.input
class CreateEmailTemplateInput:
    name: str
    type: TemplateTypeEnum = strawberry.field(  # type: ignore[valid-type]
        default=TemplateType.CUSTOM,
        description="REJECTION templates are used by dismissEmail(notifySender).",
    )
    subject: str = ""
    message: str = ""
    queue: strawberry.ID | None = None


@strawberry.input
class UpdateEmailTemplateInput:
    id: strawberry.ID
    name: str | None = None
    subject: str | None = None
    message: str | None = None


EmailTemplateResult = Annotated[
    EmailTemplate | InputError, strawberry.union("EmailTemplateResult")
]


@strawberry.type
class TemplateMutations:
    @strawberry.mutation(permission_classes=[IsManager], extensions=[AsInputError()])
    async def create_email_template(
        self, info: Info, input: CreateEmailTemplateInput
    ) -> EmailTemplateResult:
        queue_id = (
            None
            if input.queue is None
            else decode_or_not_found(input.queue, "Queue", field="queue")
        )
        row = await templates.create_template(
            organization_id=info.context.organization_id,
            name=input.name,
            subject=input.subject,
            message=input.message,
            queue_id=queue_id,
            type=input.type,
        )
        return EmailTemplate.from_model(row)

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
        )
        return EmailTemplate.from_model(row)
