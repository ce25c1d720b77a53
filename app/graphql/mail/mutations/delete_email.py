"""deleteEmail (MANAGER): its replies move up to its parent, its thread is recounted,
its documents and annotations stay (unlinked)."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, decode_or_not_found, input_id
from app.graphql.permissions import IsManager
from app.threads import service as threads


@strawberry.type
class DeleteEmailPayload:
    id: strawberry.ID


DeleteEmailResult = Annotated[
    DeleteEmailPayload | InputError, strawberry.union("DeleteEmailResult")
]


@strawberry.input
class DeleteEmailInput:
    id: strawberry.ID


@strawberry.type
class DeleteEmail:
    @strawberry.mutation(permission_classes=[IsManager], extensions=[AsInputError()])
    async def delete_email(
        self,
        info: Info,
        input: DeleteEmailInput | None = None,
        id: DeprecatedId = None,
    ) -> DeleteEmailResult:
        email_id = input_id(input, id)
        await threads.delete_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(email_id, "Email", field="id"),
        )
        return DeleteEmailPayload(id=strawberry.ID(email_id))
