"""dismissEmail: optionally rejecting its annotations and telling the sender."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAnnotator
from app.graphql.tasks.types import Task
from app.graphql.triage.mutations.common import TaskResult
from app.triage.dismissal import request_dismiss


@strawberry.input
class DismissEmailInput:
    id: strawberry.ID
    reject_annotations: bool = strawberry.field(
        default=False, description="Its annotations become REJECTED; label REJECTED."
    )
    notify_sender: bool = strawberry.field(
        default=False,
        description="Send a REJECTION email to the sender, in the thread.",
    )
    reason: str | None = strawberry.field(
        default=None, description="Available to the REJECTION template as {{ reason }}."
    )


@strawberry.type
class DismissEmail:
    @strawberry.mutation(
        description="Dismiss an email (a job); poll the Task.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def dismiss_email(self, info: Info, input: DismissEmailInput) -> TaskResult:
        task = await request_dismiss(
            info.context.redis,
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            email_id=decode_or_not_found(input.id, "Email", field="id"),
            reject_annotations=input.reject_annotations,
            notify_sender=input.notify_sender,
            reason=input.reason,
        )
        return Task.from_model(task)
