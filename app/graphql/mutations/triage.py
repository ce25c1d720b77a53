"""Triage: dismissEmail, attachEmail (jobs) and the thread operations."""

from typing import Annotated

import strawberry

from app.core.errors import InvalidInput, NotFound
from app.core.ids import decode_or_not_found
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAnnotator, IsViewer
from app.graphql.types.common import InputError
from app.graphql.types.mail import EmailThread
from app.graphql.types.tasks import Task
from app.mail.models import EmailThread as EmailThreadModel
from app.mail.service import get_email
from app.threads.service import mark_read, merge_manually, split_thread
from app.triage.attaching import AttachPlan, request_attach
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


@strawberry.input
class MergeThreadsInput:
    target: strawberry.ID
    sources: list[strawberry.ID]


@strawberry.input
class SplitThreadInput:
    email: strawberry.ID = strawberry.field(
        description="This email and its descendants become a new thread."
    )


TaskResult = Annotated[Task | InputError, strawberry.union("TaskResult")]
EmailThreadResult = Annotated[
    EmailThread | InputError, strawberry.union("EmailThreadResult")
]


async def _thread(
    organization_id: int, value: strawberry.ID, field: str
) -> EmailThreadModel:
    pk = decode_or_not_found(value, "EmailThread", field=field)
    thread = await EmailThreadModel.get_or_none(id=pk, organization_id=organization_id)
    if thread is None:
        raise NotFound("No such thread.", field=field)
    return thread


@strawberry.type
class TriageMutations:
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

    @strawberry.mutation(
        description="Relate, move or link an email (a job); poll the Task.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def attach_email(self, info: Info, input: AttachEmailInput) -> TaskResult:
        plan = AttachPlan(
            annotation_ids=[
                decode_or_not_found(a, "Annotation", field="annotations")
                for a in input.annotations
            ],
            document_ids=[
                decode_or_not_found(d, "Document", field="documents")
                for d in input.documents
            ],
            thread_id=None
            if input.thread is None
            else decode_or_not_found(input.thread, "EmailThread", field="thread"),
            linked_object=(
                input.linked_object.type.strip(),
                input.linked_object.id.strip(),
            )
            if input.linked_object
            else None,
        )
        task = await request_attach(
            info.context.redis,
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            email_id=decode_or_not_found(input.id, "Email", field="id"),
            plan=plan,
        )
        return Task.from_model(task)

    @strawberry.mutation(
        description="Move every email of the sources into the target.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def merge_threads(
        self, info: Info, input: MergeThreadsInput
    ) -> EmailThreadResult:
        org = info.context.organization_id
        target = await _thread(org, input.target, "target")
        sources = [await _thread(org, s, "sources") for s in input.sources]
        if not sources or any(s.id == target.id for s in sources):
            raise InvalidInput(
                "Give source threads other than the target.", field="sources"
            )
        if any(s.queue_id != target.queue_id for s in sources):
            raise InvalidInput(
                "Threads of different queues cannot merge.", field="sources"
            )
        for source in sources:
            await merge_manually(target, source)
        return EmailThread.from_model(await EmailThreadModel.get(id=target.id))

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

    @strawberry.mutation(
        description="Mark a thread read: no new replies, no unread emails.",
        permission_classes=[IsViewer],
        extensions=[AsInputError()],
    )
    async def mark_thread_read(
        self, info: Info, id: strawberry.ID
    ) -> EmailThreadResult:
        thread = await _thread(info.context.organization_id, id, "id")
        await mark_read(thread)
        return EmailThread.from_model(await EmailThreadModel.get(id=thread.id))
