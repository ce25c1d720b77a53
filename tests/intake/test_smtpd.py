"""Inbound SMTP: a real client delivers to `mailroom smtpd`'s server."""

from email.message import EmailMessage

import aiosmtplib
import pytest

from app.smtpd import start_smtp_server
from tests.factories import make_inbox, make_queue


@pytest.fixture
async def smtp_port(admin, redis):
    await make_inbox(
        admin.organization_id,
        "in@acme.test",
        queue=await make_queue(admin.organization_id, "Invoices"),
    )
    server = await start_smtp_server(redis, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def _message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Supplier <billing@supplier.test>"
    msg["To"] = to
    msg["Subject"] = "Invoice 7"
    msg["Message-ID"] = "<inv7@supplier.test>"
    msg.set_content("See attached.")
    msg.add_attachment(
        b"%PDF-1.4 invoice 7",
        maintype="application",
        subtype="pdf",
        filename="invoice-7.pdf",
    )
    return msg


async def test_message_for_an_inbox_is_imported_without_creator(
    admin, smtp_port, run_jobs
):
    # given an inbox, when a real SMTP client delivers a message to it
    await aiosmtplib.send(
        _message("in@acme.test"), hostname="127.0.0.1", port=smtp_port
    )
    await run_jobs()
    # then it is an email of the organization, with its document, and no creator
    data = await admin.data(
        "{ emails { totalCount edges { node { subject creator { id } type"
        " from { email } documents { originalFileName mimeType } } } } }"
    )
    assert data["emails"]["totalCount"] == 1
    email = data["emails"]["edges"][0]["node"]
    assert email["subject"] == "Invoice 7"
    assert email["creator"] is None
    assert email["type"] == "INCOMING"
    assert email["from"]["email"] == "billing@supplier.test"
    assert email["documents"] == [
        {"originalFileName": "invoice-7.pdf", "mimeType": "application/pdf"}
    ]


async def test_unknown_recipient_is_refused_at_rcpt_with_550(
    admin, smtp_port, run_jobs
):
    # when a client sends to an address no inbox has
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await aiosmtplib.send(
            _message("nobody@acme.test"), hostname="127.0.0.1", port=smtp_port
        )
    # then the server refused the recipient with 550 and nothing was imported
    assert refused.value.recipients[0].code == 550
    await run_jobs()
    data = await admin.data("{ emails { totalCount } tasks { totalCount } }")
    assert data == {"emails": {"totalCount": 0}, "tasks": {"totalCount": 0}}
