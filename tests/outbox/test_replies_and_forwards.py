"""Replies and forwards: the parent's thread, subject, references, documents and
inbox."""

from app.inboxes.models import Inbox
from app.mail.models import (
    Email,
    EmailThread,
)
from tests.factories import make_document
from tests.helpers import gid, gid_of, pk_of
from tests.outbox.sending import (
    CSV,
    PDF,
    PNG,
    make_incoming,
    outgoing_rows,
    parse,
    queue_with_inbox,
    send,
    sent_task,
    to,
)

# ---------------------------------------------------------------------------
# Replies and forwards


async def test_replies_join_the_thread_and_chain_their_references(
    admin, smtp_sink, run_jobs
):
    # given an incoming email
    queue = await queue_with_inbox(admin.organization_id)
    first = await make_incoming(
        admin.organization_id,
        queue,
        subject="Invoice 7",
        message_id="<a-1@vendor.test>",
        references=["<older@vendor.test>"],
    )
    first_gid = gid("Email", first.id)
    thread_gid = gid("EmailThread", first.email_thread_id)

    # when it is answered (no queue, no subject: both come from the parent)
    reply = await sent_task(
        admin,
        parentEmail=first_gid,
        to=to("alice@vendor.test"),
        templateValues={"message": "<p>Thanks</p>"},
    )
    # then the reply is in the parent's thread, labelled REPLY, with "Re:" once
    r1 = reply["email"]
    assert r1["emailThread"]["id"] == thread_gid
    assert r1["parent"]["id"] == first_gid
    assert r1["labels"] == ["REPLY"]
    assert r1["subject"] == "Re: Invoice 7"
    assert r1["inReplyTo"] == "<a-1@vendor.test>"
    assert r1["references"] == ["<older@vendor.test>", "<a-1@vendor.test>"]

    # when the vendor answers the reply, and that answer is answered in turn
    answer = await make_incoming(
        admin.organization_id,
        queue,
        subject="RE: Invoice 7",
        message_id="<a-2@vendor.test>",
        references=[*r1["references"], r1["messageId"]],
        parent=await Email.get(id=int(pk_of(r1["id"]))),
    )
    reply2 = await sent_task(
        admin,
        parentEmail=gid("Email", answer.id),
        to=to("alice@vendor.test"),
        templateValues={"message": "<p>Paid</p>"},
    )
    r2 = reply2["email"]
    # then the chain goes on: parent's references + the parent's Message-ID
    assert r2["subject"] == "RE: Invoice 7"  # no "Re: RE:"
    assert r2["emailThread"]["id"] == thread_gid
    assert r2["inReplyTo"] == "<a-2@vendor.test>"
    assert r2["references"] == [
        "<older@vendor.test>",
        "<a-1@vendor.test>",
        r1["messageId"],
        "<a-2@vendor.test>",
    ]

    # and a third reply, to our own last reply, with a subject of its own
    reply3 = await sent_task(
        admin,
        parentEmail=r2["id"],
        to=to("alice@vendor.test"),
        templateValues={"subject": "Receipt", "message": "<p>Here</p>"},
    )
    r3 = reply3["email"]
    assert r3["subject"] == "Receipt"
    assert r3["labels"] == ["REPLY"]
    assert r3["inReplyTo"] == r2["messageId"]
    assert r3["references"] == [*r2["references"], r2["messageId"]]
    assert r3["emailThread"]["id"] == thread_gid

    await run_jobs()

    # then the three messages carry the same threading headers
    received = {parse(m.data)["Message-ID"]: parse(m.data) for m in smtp_sink.received}
    assert len(received) == 3
    for sent in (r1, r2, r3):
        msg = received[sent["messageId"]]
        assert msg["In-Reply-To"] == sent["inReplyTo"]
        assert msg["References"].split() == sent["references"]
        assert msg["Subject"] == sent["subject"]
        assert "Re: Re:" not in msg["Subject"] and "Re: RE:" not in msg["Subject"]
    thread = await EmailThread.get(id=first.email_thread_id)
    assert thread.has_replies
    assert await Email.filter(email_thread_id=first.email_thread_id).count() == 5


async def test_reply_to_a_subject_already_prefixed_is_not_prefixed_again(
    admin, smtp_sink
):
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Re: Order 55",
        message_id="<o-55@vendor.test>",
    )
    result = await sent_task(
        admin, parentEmail=gid("Email", parent.id), to=to("alice@vendor.test")
    )
    assert result["email"]["subject"] == "Re: Order 55"


async def test_forward_carries_the_parents_documents(admin, smtp_sink, run_jobs):
    # given an incoming email with two documents, and one more document
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Invoice 7",
        message_id="<fw-1@vendor.test>",
    )
    await make_document(
        admin.organization_id, PDF, "invoice.pdf", "application/pdf", email_id=parent.id
    )
    own = await make_document(
        admin.organization_id, CSV, "lines.csv", "text/csv", email_id=parent.id
    )
    extra = await make_document(admin.organization_id, PNG, "stamp.png", "image/png")
    # when it is forwarded, attaching one of its documents again and the other one
    result = await sent_task(
        admin,
        parentEmail=gid("Email", parent.id),
        labels=["FORWARDED"],
        to=to("accounting@acme-partner.test"),
        attachDocuments=[
            gid("Document", own.id),
            gid("Document", extra.id),
        ],
    )
    # then it is a forward, not a reply
    forward = result["email"]
    assert forward["labels"] == ["FORWARDED"]
    assert forward["subject"] == "Fwd: Invoice 7"
    assert forward["parent"]["id"] == gid("Email", parent.id)
    await run_jobs()
    # and the message carries each document once, byte for byte
    msg = parse(smtp_sink.received[0].data)
    assert msg["Subject"] == "Fwd: Invoice 7"
    attachments = sorted(
        (p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
        for p in msg.iter_attachments()
    )
    assert attachments == [
        ("invoice.pdf", "application/pdf", PDF),
        ("lines.csv", "text/csv", CSV),
        ("stamp.png", "image/png", PNG),
    ]


async def test_forward_needs_a_parent(admin, smtp_sink):
    queue = await queue_with_inbox(admin.organization_id)
    result = await send(
        admin, queue=gid_of(queue), labels=["FORWARDED"], to=to("x@client.test")
    )
    assert result["__typename"] == "InputError"
    assert (result["code"], result["field"]) == ("BAD_REQUEST", "labels")
    assert await outgoing_rows(admin.organization_id) == (0, 0)


async def test_reply_goes_out_from_the_inbox_the_parent_arrived_at(
    admin, smtp_sink, run_jobs
):
    # given a queue fed by two inboxes, and an email that arrived at the second one
    queue = await queue_with_inbox(admin.organization_id, inbox="ap@acme.test")
    billing = await Inbox.create(
        organization_id=admin.organization_id,
        queue=queue,
        email="billing@acme.test",
        name="Acme Billing",
    )
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Invoice 8",
        message_id="<inv-8@vendor.test>",
        inbox=billing,
    )
    # when it is answered
    reply = await sent_task(
        admin, parentEmail=gid("Email", parent.id), to=to("alice@vendor.test")
    )
    await run_jobs()
    # then the answer comes from the address the vendor wrote to
    assert reply["email"]["from"] == {
        "email": "billing@acme.test",
        "name": "Acme Billing",
    }
    msg = parse(smtp_sink.received[0].data)
    assert msg["From"].addresses[0].addr_spec == "billing@acme.test"
    assert smtp_sink.received[0].sender == "billing@acme.test"
