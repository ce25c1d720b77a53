"""sendEmail and cancelEmail."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.ids import decode_or_not_found
from app.graphql.context import Info
from app.graphql.enums import LabelEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAnnotator
from app.graphql.types.common import JSON, InputError
from app.graphql.types.mail import Email
from app.graphql.types.tasks import Task
from app.outbox.cancel import cancel_email
from app.outbox.service import SendRequest, request_send


@strawberry.input
class EmailAddressInput:
    email: str
    name: str = ""


@strawberry.input
class SendEmailInput:
    to: list[EmailAddressInput] = strawberry.field(default_factory=list)
    cc: list[EmailAddressInput] = strawberry.field(default_factory=list)
    bcc: list[EmailAddressInput] = strawberry.field(
        default_factory=list, description="Envelope-only: never shown in the headers."
    )
    queue: strawberry.ID | None = strawberry.field(
        default=None, description="Required unless parentEmail is given."
    )
    template_values: JSON | None = strawberry.field(
        default=None,
        description="subject and message (templates) and custom placeholder keys.",
    )
    email_template: strawberry.ID | None = None
    parent_email: strawberry.ID | None = strawberry.field(
        default=None, description="Reply to it (or forward it, with label FORWARDED)."
    )
    related_annotations: list[strawberry.ID] = strawberry.field(default_factory=list)
    related_documents: list[strawberry.ID] = strawberry.field(default_factory=list)
    attach_documents: list[strawberry.ID] = strawberry.field(default_factory=list)
    reset_related_annotations_email_thread: bool = False
    labels: list[LabelEnum] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    headers: JSON | None = strawberry.field(
        default=None, description='Extra headers, e.g. {"X-Ticket": "42"}.'
    )
    send_at: datetime | None = None
    send_before: datetime | None = None
    idempotency_key: str | None = None


SendEmailResult = Annotated[Task | InputError, strawberry.union("SendEmailResult")]
CancelEmailResult = Annotated[Email | InputError, strawberry.union("CancelEmailResult")]


def _ids(values: list[strawberry.ID], type_name: str, field: str) -> list[int]:
    return [decode_or_not_found(v, type_name, field=field) for v in values]


@strawberry.type
class SendingMutations:
    @strawberry.mutation(
        description="Queue an outgoing email; it exists when this returns.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def send_email(self, info: Info, input: SendEmailInput) -> SendEmailResult:
        def one(value: strawberry.ID | None, type_name: str, field: str) -> int | None:
            return (
                None
                if value is None
                else decode_or_not_found(value, type_name, field=field)
            )

        request = SendRequest(
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            to=[(a.email, a.name) for a in input.to],
            cc=[(a.email, a.name) for a in input.cc],
            bcc=[(a.email, a.name) for a in input.bcc],
            queue_id=one(input.queue, "Queue", "queue"),
            template_values=input.template_values,
            template_id=one(input.email_template, "EmailTemplate", "emailTemplate"),
            parent_email_id=one(input.parent_email, "Email", "parentEmail"),
            related_annotation_ids=_ids(
                input.related_annotations, "Annotation", "relatedAnnotations"
            ),
            related_document_ids=_ids(
                input.related_documents, "Document", "relatedDocuments"
            ),
            attach_document_ids=_ids(
                input.attach_documents, "Document", "attachDocuments"
            ),
            reset_related_annotations_email_thread=input.reset_related_annotations_email_thread,
            labels=list(input.labels),
            headers=input.headers,
            send_at=input.send_at,
            send_before=input.send_before,
            idempotency_key=input.idempotency_key,
        )
        task = await request_send(info.context.redis, request)
        return Task.from_model(task)

    @strawberry.mutation(
        description="Cancel a QUEUED or SCHEDULED outgoing email.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def cancel_email(self, info: Info, id: strawberry.ID) -> CancelEmailResult:
        row = await cancel_email(
            organization_id=info.context.organization_id,
            email_id=decode_or_not_found(id, "Email", field="id"),
        )
        return Email.from_model(row)
