"""updateEmail: labels, metadata, resolution and read state (ANNOTATOR)."""

from typing import Annotated, Any, cast

import strawberry

from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.enums import EmailStatusEnum, LabelEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.mail.types import Email
from app.graphql.permissions import IsAnnotator
from app.mail import service


@strawberry.input
class UpdateEmailInput:
    id: strawberry.ID
    labels: list[LabelEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Replaces the labels."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Replaces metadata."
    )
    status: EmailStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="RESOLVED or UNRESOLVED; use dismissEmail to dismiss."
    )
    unread: bool | None = None
    external_id: str | None = None


UpdateEmailResult = Annotated[Email | InputError, strawberry.union("UpdateEmailResult")]


@strawberry.type
class UpdateEmail:
    @strawberry.mutation(permission_classes=[IsAnnotator], extensions=[AsInputError()])
    async def update_email(
        self, info: Info, input: UpdateEmailInput
    ) -> UpdateEmailResult:
        row = await service.update_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(input.id, "Email", field="id"),
            labels=input.labels,
            # Any JSON value; the service refuses what is not an object.
            metadata=cast(dict[str, Any] | None, input.metadata),
            status=input.status,
            unread=input.unread,
            external_id=input.external_id,
        )
        return Email.from_model(row)
