"""attachEmail: relate annotations and documents, move to a thread, link an object."""

import strawberry

from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found, optional_pk, pks
from app.graphql.permissions import IsAnnotator
from app.graphql.tasks.types import Task
from app.graphql.triage.mutations.common import TaskResult
from app.triage.attaching import AttachPlan, request_attach


@strawberry.input
class LinkedObjectInput:
    type: str
    id: str


@strawberry.input
class AttachEmailInput:
    id: strawberry.ID
    annotations: list[strawberry.ID] = strawberry.field(default_factory=list)
    documents: list[strawberry.ID] = strawberry.field(default_factory=list)
    thread: strawberry.ID | None = strawberry.field(
        default=None, description="Move the email and its replies to this thread."
    )
    linked_object: LinkedObjectInput | None = None

    def plan(self) -> AttachPlan:
        link = self.linked_object
        return AttachPlan(
            annotation_ids=pks(self.annotations, "Annotation", field="annotations"),
            document_ids=pks(self.documents, "Document", field="documents"),
            thread_id=optional_pk(self.thread, "EmailThread", field="thread"),
            linked_object=(link.type.strip(), link.id.strip()) if link else None,
        )


@strawberry.type
class AttachEmail:
    @strawberry.mutation(
        description="Relate, move or link an email (a job); poll the Task.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def attach_email(self, info: Info, input: AttachEmailInput) -> TaskResult:
        plan = input.plan()
        task = await request_attach(
            info.context.redis,
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            email_id=decode_or_not_found(input.id, "Email", field="id"),
            plan=plan,
        )
        return Task.from_model(task)
