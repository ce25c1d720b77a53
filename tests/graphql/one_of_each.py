"""One of each object of the admin's organization (the `one_of_each` fixture), and a
snapshot of everything a forbidden mutation could have touched."""

from dataclasses import dataclass

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Role, User
from app.core.blobs import blob_store
from app.documents.models import Annotation, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailType, Label
from app.tasks.models import Task, TaskKind
from app.templates.models import EmailTemplate
from tests.factories import make_annotation, record_test_email
from tests.helpers import error_code, gid_of

RAW_MESSAGE = (
    b"From: a@example.com\r\nTo: in@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"
)

DOCUMENT_BYTES = b"%PDF-1.4 auth test document"


def _assert_authentication_failed(response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["data"] is None
    assert error_code(body) == "AUTHENTICATION_FAILED"


@dataclass
class OneOfEach:
    """One of each object of the admin's organization, with global ids."""

    queue: Queue
    inbox: Inbox
    email: Email
    document: Document
    annotation: Annotation
    template: EmailTemplate
    task: Task
    other_user: User
    other_token: ApiToken

    def gid(self, name: str) -> str:
        return gid_of(getattr(self, name))


async def build_one_of_each(admin) -> OneOfEach:
    """One of each object in the admin's organization, through the services."""
    queue = await inboxes.create_queue(
        organization_id=admin.organization_id, name="Invoices"
    )
    inbox = await inboxes.create_inbox(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email="in@acme.example",
    )
    store = blob_store()
    email = await record_test_email(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        type=EmailType.INCOMING,
        subject="Invoice 42",
        from_address="supplier@example.com",
        to=[{"email": "in@acme.example", "name": ""}],
        labels=[Label.FORWARDED],
        **{"inbox_id": inbox.id, "raw_blob_key": await store.put(RAW_MESSAGE)},
    )
    document = await Document.create(
        organization_id=admin.organization_id,
        email=email,
        original_file_name="invoice.pdf",
        mime_type="application/pdf",
        size=len(DOCUMENT_BYTES),
        blob_key=await store.put(DOCUMENT_BYTES),
    )
    annotation = await make_annotation(email, document)
    template = await EmailTemplate.create(
        organization_id=admin.organization_id,
        name="Thanks",
        subject="Thanks",
        message="<p>Hi</p>",
    )
    task = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL
    )
    other_user = await accounts.create_user(
        organization_id=admin.organization_id,
        email="other@acme.example",
        role=Role.VIEWER,
    )
    other_token, _ = await accounts.create_token(user=other_user, name="other")
    return OneOfEach(
        queue,
        inbox,
        email,
        document,
        annotation,
        template,
        task,
        other_user,
        other_token,
    )
