"""updateAnnotation."""

from typing import Annotated

import strawberry

from app.core.ids import decode_or_not_found
from app.documents import service
from app.graphql.context import Info
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAnnotator
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
    @strawberry.mutation(permission_classes=[IsAnnotator], extensions=[AsInputError()])
    async def update_annotation(
        self, info: Info, input: UpdateAnnotationInput
    ) -> UpdateAnnotationResult:
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
