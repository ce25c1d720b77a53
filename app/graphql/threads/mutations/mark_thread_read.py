"""markThreadRead: any viewer may clear a thread's new-reply and unread marks."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, input_id
from app.graphql.mail.types import EmailThread
from app.graphql.permissions import IsViewer
from app.graphql.threads.mutations.common import EmailThreadResult, thread_or_not_found
from app.mail.models import EmailThread as EmailThreadModel
from app.threads.service import mark_read


@strawberry.input
class MarkThreadReadInput:
    id: strawberry.ID


@strawberry.type
class MarkThreadRead:
    @strawberry.mutation(
        description="Mark a thread read: no new replies, no unread emails.",
        permission_classes=[IsViewer],
        extensions=[AsInputError()],
    )
    async def mark_thread_read(
        self,
        info: Info,
        input: MarkThreadReadInput | None = None,
        id: DeprecatedId = None,
    ) -> EmailThreadResult:
        thread = await thread_or_not_found(
            info.context.organization_id, strawberry.ID(input_id(input, id)), "id"
        )
        await mark_read(thread)
        return EmailThread.from_model(await EmailThreadModel.get(id=thread.id))
