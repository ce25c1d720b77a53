"""sendEmail: a new message, a reply or a forward, queued for the sender worker."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.enums import LabelEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import optional_pk, pks
from app.graphql.permissions import IsAnnotator
from app.graphql.tasks.types import Task
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

    def to_request(self, info: Info) -> SendRequest:
        return SendRequest(
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            to=[(a.email, a.name) for a in self.to],
            cc=[(a.email, a.name) for a in self.cc],
            bcc=[(a.email, a.name) for a in self.bcc],
            queue_id=optional_pk(self.queue, "Queue", field="queue"),
            template_values=self.template_values,
            template_id=optional_pk(
                self.email_template, "EmailTemplate", field="emailTemplate"
            ),
            parent_email_id=optional_pk(
                self.parent_email, "Email", field="parentEmail"
            ),
            related_annotation_ids=pks(
                self.related_annotations, "Annotation", field="relatedAnnotations"
            ),
            related_document_ids=pks(
                self.related_documents, "Document", field="relatedDocuments"
            ),
            attach_document_ids=pks(
                self.attach_documents, "Document", field="attachDocuments"
            ),
            reset_related_annotations_email_thread=self.reset_related_annotations_email_thread,
            labels=list(self.labels),
            headers=self.headers,
            send_at=self.send_at,
            send_before=self.send_before,
            idempotency_key=self.idempotency_key,
        )


SendEmailResult = Annotated[Task | InputError, strawberry.union("SendEmailResult")]


@strawberry.type
class SendEmail:
    @strawberry.mutation(
        description="Queue an outgoing email; it exists when this returns.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def send_email(self, info: Info, input: SendEmailInput) -> SendEmailResult:
        task = await request_send(info.context.redis, input.to_request(info))
        return Task.from_model(task)
