"""One of every object of an organization (its "world"), created through the services,
and a snapshot of every row of it: what another organization must never see or
change."""

import uuid
from dataclasses import dataclass
from typing import Any

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Organization, Role, User
from app.core import ids
from app.core.blobs import blob_store
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, EmailType, Label, ThreadMatchMethod
from app.mail.relations import EmailLabel
from app.tasks.models import Task, TaskKind
from app.templates.models import EmailTemplate
from tests.factories import record_test_email
from tests.helpers import gid_of

RAW_MESSAGE = (
    b"From: Supplier <supplier@example.com>\r\nTo: in@a.example\r\n"
    b"Subject: Invoice 42\r\nMessage-ID: <m1@example.com>\r\n\r\nPlease pay.\r\n"
)

DOCUMENT_BYTES = b"%PDF-1.4\n% organization A's secret invoice\n"

INLINE_PART_BYTES = b"\x89PNG\r\n\x1a\n organization A's secret logo"


# ---------------------------------------------------------------------------- world


@dataclass
class OrgWorld:
    """One of every object of an organization, by name, with their global ids."""

    organization: Organization
    queue: Queue
    inbox: Inbox
    email: Email
    reply: Email
    thread: EmailThread
    document: Document
    annotation: Annotation
    template: EmailTemplate
    task: Task
    user: User
    token: ApiToken

    def gid(self, name: str) -> str:
        return gid_of(getattr(self, name))

    def all_gids(self) -> dict[str, str]:
        return {name: self.gid(name) for name in NAMES}


NAMES = [
    "organization",
    "queue",
    "inbox",
    "email",
    "reply",
    "thread",
    "document",
    "annotation",
    "template",
    "task",
    "user",
    "token",
]


async def build_world(actor, tag: str) -> OrgWorld:
    """Create one of every object in the actor's organization, through the services
    (and the template through its mutation)."""
    org_id = actor.organization_id
    queue = await inboxes.create_queue(organization_id=org_id, name=f"Queue {tag}")
    inbox = await inboxes.create_inbox(
        organization_id=org_id,
        queue_id=queue.id,
        email=f"in@{tag}.example",
        name=f"Inbox {tag}",
    )
    store = blob_store()
    email = await record_test_email(
        organization_id=org_id,
        queue_id=queue.id,
        type=EmailType.INCOMING,
        subject=f"Invoice {tag}",
        from_address="supplier@example.com",
        from_name="Supplier",
        to=[{"email": f"in@{tag}.example", "name": ""}],
        labels=[Label.FORWARDED],
        **{
            "inbox_id": inbox.id,
            "raw_blob_key": await store.put(RAW_MESSAGE + tag.encode()),
            "metadata": {"owner": tag},
            "message_id": f"<m1@{tag}.example>",
            "parts": [
                {
                    "partId": "1",
                    "contentType": "text/plain",
                    "size": 12,
                    "outcome": "BODY",
                },
                {
                    "partId": "2",
                    "contentType": "image/png",
                    "contentId": "logo",
                    "size": len(INLINE_PART_BYTES),
                    "outcome": "FILTERED_INLINE",
                    "blobKey": await store.put(INLINE_PART_BYTES + tag.encode()),
                },
            ],
        },
    )
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await record_test_email(
        organization_id=org_id,
        queue_id=queue.id,
        type=EmailType.OUTGOING,
        subject=f"Re: Invoice {tag}",
        from_address=f"in@{tag}.example",
        to=[{"email": "supplier@example.com", "name": ""}],
        labels=[Label.REPLY],
        **{"parent_id": email.id, "creator_id": actor.user_id},
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO,
    )
    document = await Document.create(
        organization_id=org_id,
        email=email,
        original_file_name=f"invoice-{tag}.pdf",
        mime_type="application/pdf",
        size=len(DOCUMENT_BYTES),
        blob_key=await store.put(DOCUMENT_BYTES + tag.encode()),
        metadata={"owner": tag},
    )
    user = await accounts.create_user(
        organization_id=org_id, email=f"annotator@{tag}.example", role=Role.ANNOTATOR
    )
    token, _ = await accounts.create_token(user=user, name=f"token {tag}")
    annotation = await Annotation.create(
        organization_id=org_id,
        queue_id=queue.id,
        document=document,
        email=email,
        email_thread_id=thread.id,
        assignee=user,
        status=AnnotationStatus.TO_REVIEW,
        metadata={"owner": tag},
    )
    created = await actor.data(
        """mutation($q: ID!, $name: String!) {
             createEmailTemplate(input: {name: $name, subject: "Thanks",
                                         message: "<p>Hi</p>",
                                         queue: $q}) {
               __typename ... on EmailTemplate { id } } }""",
        {"q": ids.encode("Queue", queue.id), "name": f"Template {tag}"},
    )
    template_pk = ids.decode(created["createEmailTemplate"]["id"], "EmailTemplate")
    template = await EmailTemplate.get(id=template_pk)
    task = await Task.create(
        id=uuid.uuid4(),
        organization_id=org_id,
        kind=TaskKind.IMPORT_EMAIL,
        email=email,
        creator_id=actor.user_id,
        idempotency_key=f"key-{tag}",
    )
    organization = await Organization.get(id=org_id)
    thread = await EmailThread.get(id=thread.id)
    return OrgWorld(
        organization,
        queue,
        inbox,
        email,
        reply,
        thread,
        document,
        annotation,
        template,
        task,
        user,
        token,
    )


async def snapshot(organization_id: int) -> dict[str, Any]:
    """Every row of an organization, as stored: what must not change."""

    async def rows(model, *columns, **where) -> list[tuple]:
        query = (
            model.filter(**where)
            if where
            else model.filter(organization_id=organization_id)
        )
        found = await query.values_list(*columns)
        return sorted(tuple(str(v) for v in row) for row in found)

    return {
        "organization": await rows(
            Organization, "id", "name", "send_limit", id=organization_id
        ),
        "users": await rows(User, "id", "email", "role", "is_active"),
        "tokens": await rows(ApiToken, "id", "user_id", "name", "revoked_at"),
        "queues": await rows(Queue, "id", "name"),
        "inboxes": await rows(
            Inbox,
            "id",
            "name",
            "email",
            "queue_id",
            "min_image_bytes",
            "accepted_mime_types",
            "allowed_sender_patterns",
        ),
        "threads": await rows(
            EmailThread, "id", "queue_id", "root_email_id", "subject"
        ),
        "emails": await rows(
            Email,
            "id",
            "parent_id",
            "email_thread_id",
            "status",
            "unread",
            "metadata",
            "external_id",
            "subject",
        ),
        "labels": await rows(
            EmailLabel, "email_id", "label", email__organization_id=organization_id
        ),
        "documents": await rows(Document, "id", "email_id", "blob_key", "metadata"),
        "annotations": await rows(
            Annotation, "id", "status", "assignee_id", "metadata", "email_id"
        ),
        "templates": await rows(
            EmailTemplate, "id", "name", "subject", "message", "queue_id"
        ),
        "tasks": await rows(Task, "id", "status", "finished_at"),
    }
