"""The automatic rejection an import of a message without documents sends."""

import base64
from email.message import EmailMessage

from app.mail.models import (
    Email,
    EmailType,
)
from tests.outbox.sending import parse, queue_with_inbox

# ---------------------------------------------------------------------------
# Automatic rejection from the import, and the file transport


IMPORT = """
mutation Import($input: ImportEmailInput!) {
  importEmail(input: $input) {
    __typename
    ... on Task { id status }
    ... on InputError { code field message }
  }
}"""

IMPORTED = """
query T($id: ID!) {
  task(id: $id) {
    status
    email {
      id messageId emailThread { id }
      children { id subject labels deliveryStatus messageId inReplyTo references
                 to { email } emailThread { id } }
    }
  }
}"""


def plain_message(
    *, message_id: str, subject: str, sender: str, recipient: str
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Mon, 04 Mar 2024 10:00:00 +0100"
    msg.set_content("Please find the invoice attached.\n(It is not.)\n")
    return bytes(msg)


async def test_import_without_documents_sends_an_automatic_rejection(
    admin, smtp_sink, run_jobs
):
    # given an inbox that rejects mail without documents
    await queue_with_inbox(
        admin.organization_id, inbox="intake@acme.test", reject_without_documents=True
    )
    raw = plain_message(
        message_id="<no-docs-1@vendor.test>",
        subject="Invoice 9",
        sender="Bob Vendor <bob@vendor.test>",
        recipient="intake@acme.test",
    )
    # when a message without attachments is imported and the worker runs
    result = (
        await admin.data(
            IMPORT,
            {
                "input": {
                    "rawMessageBase64": base64.b64encode(raw).decode(),
                    "recipient": "intake@acme.test",
                }
            },
        )
    )["importEmail"]
    assert result["__typename"] == "Task", result
    await run_jobs()
    # then an AUTOMATIC_REJECTION reply was delivered to the sender
    imported = (await admin.data(IMPORTED, {"id": result["id"]}))["task"]
    assert imported["status"] == "SUCCEEDED"
    [reply] = imported["email"]["children"]
    assert reply["labels"] == ["AUTOMATIC_REJECTION"]
    assert reply["deliveryStatus"] == "SENT"
    assert reply["emailThread"] == imported["email"]["emailThread"]
    assert len(smtp_sink.received) == 1
    received = smtp_sink.received[0]
    assert (
        received.recipients == ["bob@vendor.test"]
        and received.sender == "intake@acme.test"
    )
    msg = parse(received.data)
    assert msg["In-Reply-To"] == "<no-docs-1@vendor.test>"
    assert msg["References"].split() == ["<no-docs-1@vendor.test>"]
    assert msg["Message-ID"] == reply["messageId"]
    assert msg["Subject"] == "Re: Invoice 9"
    assert msg["From"].addresses[0].addr_spec == "intake@acme.test"
    assert "could not find any attachment" in msg.get_body(("plain",)).get_content()


async def test_automatic_rejection_is_marked_auto_submitted(admin, smtp_sink, run_jobs):
    # given an inbox that rejects mail without documents
    await queue_with_inbox(
        admin.organization_id, inbox="intake@acme.test", reject_without_documents=True
    )
    raw = plain_message(
        message_id="<no-docs-2@vendor.test>",
        subject="Hello",
        sender="bob@vendor.test",
        recipient="intake@acme.test",
    )
    # when a message without documents is imported
    await admin.data(
        IMPORT,
        {
            "input": {
                "rawMessageBase64": base64.b64encode(raw).decode(),
                "recipient": "intake@acme.test",
            }
        },
    )
    await run_jobs()
    # then the automatic reply says it is one (RFC 3834), so that the other side's
    # auto-responders do not answer it (and two such systems do not loop)
    msg = parse(smtp_sink.received[0].data)
    assert msg["Auto-Submitted"] == "auto-replied"


async def test_automatic_messages_get_no_automatic_rejection(
    admin, smtp_sink, run_jobs
):
    # given an inbox that rejects mail without documents
    await queue_with_inbox(
        admin.organization_id, inbox="intake@acme.test", reject_without_documents=True
    )
    msg = EmailMessage()
    msg["From"] = "noreply@other-mailroom.test"
    msg["To"] = "intake@acme.test"
    msg["Subject"] = "Re: Hello"
    msg["Message-ID"] = "<auto-1@other-mailroom.test>"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("We could not find any attachment.\n")
    # when another system's automatic reply (no documents either) is imported
    result = (
        await admin.data(
            IMPORT,
            {
                "input": {
                    "rawMessageBase64": base64.b64encode(bytes(msg)).decode(),
                    "recipient": "intake@acme.test",
                }
            },
        )
    )["importEmail"]
    await run_jobs()
    # then it is imported, but not answered: answering would start a mail loop
    assert (await admin.data(IMPORTED, {"id": result["id"]}))["task"][
        "status"
    ] == "SUCCEEDED"
    assert smtp_sink.attempts == 0
    assert (
        await Email.filter(
            organization_id=admin.organization_id, type=EmailType.OUTGOING
        ).count()
        == 0
    )
