"""Synchronous email mutations: updateEmail, deleteEmail."""

from typing import Annotated

import strawberry

from app.core.ids import decode_or_not_found
from app.graphql.context import Info
from app.graphql.enums import EmailStatusEnum, LabelEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAnnotator, IsManager
from app.graphql.types.common import JSON, InputError
from app.graphql.types.mail import Email
from app.mail import service
from app.threads import service as threads


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


@strawberry.type
class DeleteEmailPayload:
    id: strawberry.ID


UpdateEmailResult = Annotated[Email | InputError, strawberry.union("UpdateEmailResult")]
DeleteEmailResult = Annotated[
    DeleteEmailPayload | InputError, strawberry.union("DeleteEmailResult")
]


@strawberry.type
class EmailMutations:
    @strawberry.mutation(permission_classes=[IsAnnotator], extensions=[AsInputError()])
    async def update_email(
        self, info: Info, input: UpdateEmailInput
    ) -> UpdateEmailResult:
        row = await service.update_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(input.id, "Email", field="id"),
            labels=input.labels,
            metadata=input.metadata,
            status=input.status,
            unread=input.unread,
            external_id=input.external_id,
        )
        return Email.from_model(row)

    @strawberry.mutation(permission_classes=[IsManager], extensions=[AsInputError()])
    async def delete_email(self, info: Info, id: strawberry.ID) -> DeleteEmailResult:
        await threads.delete_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(id, "Email", field="id"),
        )
        return DeleteEmailPayload(id=id)
