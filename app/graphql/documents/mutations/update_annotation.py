"""updateAnnotation: status, assignee and metadata of an annotation (ANNOTATOR)."""

from typing import Annotated, Any, cast

import strawberry

from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.documents.types import Annotation
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found, optional_pk
from app.graphql.permissions import IsAnnotator
from app.triage.annotation_status import update_annotation


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
class UpdateAnnotation:
    @strawberry.mutation(permission_classes=[IsAnnotator], extensions=[AsInputError()])
    async def update_annotation(
        self, info: Info, input: UpdateAnnotationInput
    ) -> UpdateAnnotationResult:
        assignee = optional_pk(input.assignee, "User", field="assignee")
        row = await update_annotation(
            info.context.redis,
            organization_id=info.context.organization_id,
            annotation_id=decode_or_not_found(input.id, "Annotation", field="id"),
            status=input.status,
            assignee_id=assignee,
            clear_assignee=input.clear_assignee,
            # Any JSON value; the service refuses what is not an object.
            metadata=cast(dict[str, Any] | None, input.metadata),
        )
        return Annotation.from_model(row)
