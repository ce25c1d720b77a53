"""cancelEmail: only mail not yet handed to a sender (QUEUED or SCHEDULED)."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, decode_or_not_found, input_id
from app.graphql.mail.types import Email
from app.graphql.permissions import IsAnnotator
from app.outbox.cancel import cancel_email

CancelEmailResult = Annotated[Email | InputError, strawberry.union("CancelEmailResult")]


@strawberry.input
class CancelEmailInput:
    id: strawberry.ID


@strawberry.type
class CancelEmail:
    @strawberry.mutation(
        description="Cancel a QUEUED or SCHEDULED outgoing email.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def cancel_email(
        self,
        info: Info,
        input: CancelEmailInput | None = None,
        id: DeprecatedId = None,
    ) -> CancelEmailResult:
        row = await cancel_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(input_id(input, id), "Email", field="id"),
        )
        return Email.from_model(row)
