"""resendEmail: a FAILED outgoing email sent again, by a person's decision."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, decode_or_not_found, input_id
from app.graphql.permissions import IsManager
from app.graphql.tasks.types import Task
from app.outbox.resend import resend_email

ResendEmailResult = Annotated[Task | InputError, strawberry.union("ResendEmailResult")]


@strawberry.input
class ResendEmailInput:
    id: strawberry.ID


@strawberry.type
class ResendEmail:
    @strawberry.mutation(
        description=(
            "Send a FAILED outgoing email again (also one whose delivery is "
            "DELIVERY_UNCERTAIN: it may have arrived) as a new try, with the same "
            "Message-ID; a Task to poll, as sendEmail's. Not charged to the send "
            "limit again. CONFLICT unless the email is FAILED."
        ),
        permission_classes=[IsManager],
        extensions=[AsInputError()],
    )
    async def resend_email(
        self,
        info: Info,
        input: ResendEmailInput | None = None,
        id: DeprecatedId = None,
    ) -> ResendEmailResult:
        task = await resend_email(
            info.context.redis,
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(input_id(input, id), "Email", field="id"),
            user=info.context.viewer.user,
        )
        return Task.from_model(task)
