"""updateAnnotation."""

from typing import Annotated

import strawberry

from app.accounts.models import Role
from app.core.ids import decode_or_not_found
from app.documents import service
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.mutations.base import as_result
from app.graphql.types.common import JSON, InputError
from app.graphql.types.documents import Annotation


@strawberry.input
class UpdateAnnotationInput:
    id: strawberry.ID
    status: AnnotationStatusEnum | None = None  # type: ignore[valid-type]
    assignee: strawberry.ID | None = strawberry.field(
        default=None, description="A user of the organization."
    )
    clear_assignee: bool = False
    metadata: JSON | None = strawberry.field(
        default=None, description="Replaces metadata."
    )


UpdateAnnotationResult = Annotated[
    Annotation | InputError, strawberry.union("UpdateAnnotationResult")
]


@strawberry.type
class AnnotationMutations:
    @strawberry.mutation
    async def update_annotation(
        self, info: Info, input: UpdateAnnotationInput
    ) -> UpdateAnnotationResult:
        info.context.require(Role.ANNOTATOR)

        async def work() -> Annotation:
            assignee = (
                None
                if input.assignee is None
                else decode_or_not_found(input.assignee, "User", field="assignee")
            )
            row = await service.update_annotation(
                organization_id=info.context.organization_id,
                annotation_id=decode_or_not_found(input.id, "Annotation", field="id"),
                status=input.status,
                assignee_id=assignee,
                clear_assignee=input.clear_assignee,
                metadata=input.metadata,
            )
            return Annotation.from_model(row)

        return await as_result(work())
