"""sendEmail: a new message, a reply or a forward, queued for the sender worker."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.enums import LabelEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import optional_pk, pks
from app.graphql.outbox.attachments import NewAttachmentInput, read_attachment
from app.graphql.permissions import IsAnnotator
from app.graphql.tasks.types import Task
from app.outbox.attachments import NewAttachment
from app.outbox.content import Texts
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
    from_: str | None = strawberry.field(
        name="from",
        default=None,
        description="An address of one of your inboxes. Default: a reply's parent's "
        "inbox, else the queue's first inbox.",
    )
    subject: str | None = strawberry.field(
        default=None, description="With placeholders; wins over templateValues.subject."
    )
    message: str | None = strawberry.field(
        default=None,
        description="HTML with placeholders (sanitized); wins over "
        "templateValues.message.",
    )
    text: str | None = strawberry.field(
        default=None,
        description="The plain-text part, with placeholders; wins over "
        "templateValues.text. Default: made from the HTML.",
    )
    template_values: JSON | None = strawberry.field(
        default=None,
        description="subject, message and text (used when the typed fields are "
        "absent) and custom placeholder keys, whose values may hold placeholders.",
    )
    email_template: strawberry.ID | None = None
    parent_email: strawberry.ID | None = strawberry.field(
        default=None, description="Reply to it (or forward it, with label FORWARDED)."
    )
    related_annotations: list[strawberry.ID] = strawberry.field(default_factory=list)
    related_documents: list[strawberry.ID] = strawberry.field(default_factory=list)
    attach_documents: list[strawberry.ID] = strawberry.field(default_factory=list)
    attachments: list[NewAttachmentInput] = strawberry.field(
        default_factory=list,
        description="New files; with the bodies and attachDocuments at most the "
        "message size limit.",
    )
    reset_related_annotations_email_thread: bool = False
    labels: list[LabelEnum] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    headers: JSON | None = strawberry.field(
        default=None, description='Extra headers, e.g. {"X-Ticket": "42"}.'
    )
    send_at: datetime | None = None
    send_before: datetime | None = None
    idempotency_key: str | None = None

    def to_request(self, info: Info, attachments: list[NewAttachment]) -> SendRequest:
        return SendRequest(
            organization_id=info.context.organization_id,
            user=info.context.viewer.user,
            to=[(a.email, a.name) for a in self.to],
            cc=[(a.email, a.name) for a in self.cc],
            bcc=[(a.email, a.name) for a in self.bcc],
            queue_id=optional_pk(self.queue, "Queue", field="queue"),
            from_address=self.from_,
            texts=Texts(subject=self.subject, message=self.message, text=self.text),
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
            attachments=attachments,
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
        attachments = [
            await read_attachment(item, number)
            for number, item in enumerate(input.attachments, 1)
        ]
        request = input.to_request(info, attachments)
        task = await request_send(info.context.redis, request)
        return Task.from_model(task)
