"""The placeholders of sendEmail's subject and message, rendered and escaped."""

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.core.ids import encode as global_id
from app.documents.models import Annotation, AnnotationStatus
from app.settings import get_settings
from tests.factories import make_document
from tests.helpers import Actor, gid_of
from tests.outbox.sending import (
    make_incoming,
    parse,
    queue_with_inbox,
    sent_task,
    to,
)


async def actor_named(admin: Actor, full_name: str, email: str, role: Role) -> Actor:
    """A user of the admin's organization with a full name, and a token."""
    user = await accounts.create_user(
        organization_id=admin.organization_id,
        email=email,
        full_name=full_name,
        role=role,
    )
    _, token = await accounts.create_token(user=user)
    return Actor(admin.organization_id, user.id, token, admin.client)


def bracketed(text: str) -> dict[str, str]:
    """{key: value} from lines "key=[value]" of a rendered plain text."""
    values = {}
    for line in text.splitlines():
        key, sep, rest = line.partition("=[")
        if sep and rest.endswith("]"):
            values[key.strip()] = rest[:-1]
    return values


PLACEHOLDERS = {
    "org": "organization_name",
    "app": "app_url",
    "user": "user_name",
    "me": "current_user_fullname",
    "my": "current_user_email",
    "parent": "parent_email_subject",
    "sender": "sender_email",
    "file": "annotation.document.original_file_name",
    "order": "annotation.content.value.order_no",
    "total": "annotation.content.value.total",
    "aid": "annotation.id",
    "url": "annotation.url",
    "assignee": "annotation.assignee_email",
    "custom": "ticket",
    "nested": "extra.code",
}

MESSAGE = "".join(
    f"<p>{key}=[{{{{ {name} }}}}]</p>" for key, name in PLACEHOLDERS.items()
)


# ---------------------------------------------------------------------------
# Placeholders


async def test_every_placeholder_renders_and_values_are_escaped_in_html(
    make_org, smtp_sink, run_jobs
):
    # given an organization whose name needs escaping, a sending user with a name,
    # an incoming email, and an annotation with a document, values and an assignee
    admin = await make_org("Acme & Sons <Ltd>")
    sam = await actor_named(admin, "Sam Sender", "sam.sender@acme.test", Role.ANNOTATOR)
    anna = await accounts.create_user(
        organization_id=admin.organization_id,
        email="anna.assignee@acme.test",
        role=Role.ANNOTATOR,
    )
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Order 55 <urgent>",
        message_id="<o55@buyer.test>",
        from_address="alice@buyer.test",
        from_name="Alice Buyer",
    )
    document = await make_document(
        admin.organization_id,
        b"%PDF-1.4 x",
        "invoice-55.pdf",
        "application/pdf",
        email_id=parent.id,
    )
    annotation = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        document=document,
        email=parent,
        email_thread_id=parent.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
        assignee=anna,
        values={"emails_import:order_no": "55", "total": "99.50 €"},
    )
    ticket = '<img src=x onerror="alert(1)"> T&1 "quoted"'
    # when Sam answers it with a template using every placeholder
    result = await sent_task(
        sam,
        parentEmail=global_id("Email", parent.id),
        to=to("alice@buyer.test"),
        relatedAnnotations=[global_id("Annotation", annotation.id)],
        templateValues={
            "subject": "{{ parent_email_subject }} / {{ organization_name }}"
            " / {{ ticket }}",
            "message": MESSAGE,
            "ticket": ticket,
            "extra": {"code": "X-9"},
        },
    )
    public_url = get_settings().public_url
    expected = {
        "org": "Acme & Sons <Ltd>",
        "app": public_url,
        "user": "sam.sender",
        "me": "Sam Sender",
        "my": "sam.sender@acme.test",
        "parent": "Order 55 <urgent>",
        "sender": "alice@buyer.test",
        "file": "invoice-55.pdf",
        "order": "55",
        "total": "99.50 €",
        "aid": str(annotation.id),
        "url": f"{public_url.rstrip('/')}/annotations/"
        + global_id("Annotation", annotation.id),
        "assignee": "anna.assignee@acme.test",
        "custom": ticket,
        "nested": "X-9",
    }
    # then the stored plain text shows each value as it is
    email = result["email"]
    assert bracketed(email["bodyTextPlain"]) == expected
    # and the subject (plain text) is not HTML-escaped
    assert email["subject"] == "Order 55 <urgent> / Acme & Sons <Ltd> / " + ticket
    # and in the HTML every value is escaped, so none of it became markup
    html = email["bodyTextHtml"]
    assert "Acme &amp; Sons &lt;Ltd&gt;" in html and "Order 55 &lt;urgent&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert "<img" not in html and "<Ltd>" not in html and "<urgent>" not in html
    await run_jobs()
    # and the message sent says the same
    msg = parse(smtp_sink.received[0].data)
    assert msg["Subject"] == email["subject"]
    assert bracketed(msg.get_body(("plain",)).get_content()) == expected
    sent_html = msg.get_body(("html",)).get_content()
    assert "<img" not in sent_html and "&lt;img src=x onerror=" in sent_html


async def test_placeholders_without_parent_or_annotation(admin, smtp_sink):
    # given no parent email and no related annotation
    queue = await queue_with_inbox(admin.organization_id)
    message = (
        "<p>user=[{{ user_name }}]</p><p>parent=[{{ parent_email_subject }}]</p>"
        "<p>sender=[{{ sender_email }}]</p><p>aid=[{{ annotation.id }}]</p>"
        "<p>file=[{{ annotation.document.original_file_name }}]</p>"
    )
    # when sent
    result = await sent_task(
        admin,
        queue=gid_of(queue),
        to=[{"email": "bob@client.test", "name": "Bob Client"}],
        templateValues={"message": message},
    )
    # then user_name is the sending user's username; the rest is empty
    me = (await User.get(id=admin.user_id)).username
    assert me and "@" not in me
    assert bracketed(result["email"]["bodyTextPlain"]) == {
        "user": me,
        "parent": "",
        "sender": "",
        "aid": "",
        "file": "",
    }
