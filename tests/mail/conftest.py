import pytest

from app.accounts.models import Role
from app.documents.models import Document
from app.inboxes.models import Inbox
from app.mail.models import (
    DeliveryStatus,
    EmailStatus,
    EmailType,
    Label,
)
from tests.factories import at, make_email, make_queue, thread_of
from tests.helpers import gid, gid_of
from tests.mail.mailbox import SUBJECT, Mailbox


@pytest.fixture
async def mailbox(admin, make_org) -> Mailbox:
    org = admin.organization_id
    manager = await admin.add_user(Role.MANAGER)
    main = await make_queue(org, "Main")
    other = await make_queue(org, "Other")
    inbox = await Inbox.create(organization_id=org, queue=main, email="ap@in.example")
    ap = "ap@acme.example"

    invoice = await make_email(
        org,
        main.id,
        created_at=at(1),
        subject=SUBJECT["invoice"],
        from_address="Alice@Vendor.example",
        from_name="Alice Archer",
        to=["ap@acme.example"],
        cc=["boss@acme.example"],
        inbox_id=inbox.id,
        body_text_plain="Please find attached the invoice.",
        unread=True,
    )
    reply = await make_email(
        org,
        main.id,
        created_at=at(2),
        subject=SUBJECT["reply"],
        thread=await thread_of(invoice),
        type=EmailType.OUTGOING,
        from_address=ap,
        from_name="Accounts Payable",
        to=["alice@vendor.example"],
        labels=[Label.REPLY],
        creator_id=admin.user_id,
        delivery_status=DeliveryStatus.SENT,
        status=EmailStatus.RESOLVED,
        unread=False,
        body_text_plain="Thanks, received.",
    )
    po = await make_email(
        org,
        other.id,
        created_at=at(3),
        subject=SUBJECT["po"],
        from_address="bob@supplier.example",
        from_name="Bob Builder",
        to=["ap@acme.example"],
        bcc=["audit@acme.example"],
        labels=[Label.REJECTED],
        status=EmailStatus.DISMISSED,
        unread=False,
        body_text_plain="PO attached; delivery next week.",
    )
    statement = await make_email(
        org,
        main.id,
        created_at=at(4),
        subject=SUBJECT["statement"],
        type=EmailType.OUTGOING,
        from_address=ap,
        to=["carol@client.example"],
        labels=[Label.FORWARDED],
        creator_id=manager.user_id,
        delivery_status=DeliveryStatus.QUEUED,
        unread=False,
    )
    spam = await make_email(
        org,
        main.id,
        created_at=at(5),
        subject=SUBJECT["spam"],
        from_address="promo@spam.example",
        from_name="Deals Team",
        to=["info@acme.example"],
        inbox_id=inbox.id,
        labels=[Label.AUTOMATIC_REJECTION, Label.REJECTION],
        body_text_plain="Click for an invoice discount!",
        unread=True,
    )
    bounce = await make_email(
        org,
        main.id,
        created_at=at(6),
        subject=SUBJECT["bounce"],
        type=EmailType.OUTGOING,
        from_address=ap,
        to=["dave@gone.example"],
        creator_id=manager.user_id,
        delivery_status=DeliveryStatus.FAILED,
        unread=False,
    )
    await Document.create(
        organization_id=org, email=invoice, original_file_name="i.pdf"
    )
    await Document.create(organization_id=org, email=po, original_file_name="po.pdf")
    # A document not (or no longer) attached to any email.
    await Document.create(
        organization_id=org, email=None, original_file_name="loose.pdf"
    )

    # Next door: the same subjects and addresses, which must never show up.
    neighbour = await make_org("Globex")
    n_queue = await make_queue(neighbour.organization_id, "Main")
    n_inbox = await Inbox.create(
        organization_id=neighbour.organization_id,
        queue=n_queue,
        email="ap@globex.example",
    )
    n_email = await make_email(
        neighbour.organization_id,
        n_queue.id,
        created_at=at(1),
        subject=SUBJECT["invoice"],
        from_address="alice@vendor.example",
        to=["ap@acme.example"],
        inbox_id=n_inbox.id,
        creator_id=neighbour.user_id,
        body_text_plain="invoice",
    )
    await Document.create(organization_id=neighbour.organization_id, email=n_email)

    return Mailbox(
        emails={
            "invoice": invoice,
            "reply": reply,
            "po": po,
            "statement": statement,
            "spam": spam,
            "bounce": bounce,
        },
        main_queue=main,
        other_queue=other,
        inbox=inbox,
        admin_id=admin.user_id,
        manager_id=manager.user_id,
        foreign={
            "email": gid_of(n_email),
            "queue": gid("Queue", n_queue.id),
            "inbox": gid("Inbox", n_inbox.id),
            "thread": gid("EmailThread", n_email.email_thread_id),
            "user": gid("User", neighbour.user_id),
        },
    )
