"""splitThread: what the automatic threading joined wrongly, by hand."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.mail.types import EmailThread
from app.graphql.permissions import IsAnnotator
from app.graphql.threads.mutations.common import EmailThreadResult
from app.mail.service import get_email
from app.threads.service import split_thread


@strawberry.input
class SplitThreadInput:
    email: strawberry.ID = strawberry.field(
        description="This email and its descendants become a new thread."
    )


@strawberry.type
class SplitThread:
    @strawberry.mutation(
        description="Make an email and its descendants a thread of their own.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def split_thread(
        self, info: Info, input: SplitThreadInput
    ) -> EmailThreadResult:
        email = await get_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(input.email, "Email", field="email"),
            field="email",
        )
        return EmailThread.from_model(await split_thread(email))
