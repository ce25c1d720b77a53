"""The README's tour, end to end: every command is its own OS process.

`mailroom migrate`, `org create`, `queue create` and `inbox create` provision; then
`serve`, `worker` and `smtpd` run together and are driven over HTTP and SMTP as a
client and a sending mail server would. The tests of this module share one
installation and run in order: the reply joins the thread of the imported invoice,
and the last tests stop the processes.
"""

import email
import email.policy
import smtplib
from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import INBOX
from .harness import (
    EXPECTED_EXIT_CODES,
    INVOICE_PDF,
    Api,
    Stack,
    Tenant,
    example,
    is_redis_server,
    sha256,
    wait_until,
)

INVOICE_MESSAGE_ID = "<inv-2026-0042.1764317642@northwind-supplies.example>"
SUPPLIER = "billing@northwind-supplies.example"
PDF_NAME = "INV-2026-0042.pdf"

EMAIL = """
query Email($id: ID!) {
  email(id: $id) {
    id type subject messageId inReplyTo references parseDefects contentUrl
    bodyTextPlain labels
    from { email name }
    to { email }
    creator { email }
    inbox { id email }
    queue { id }
    threadMatch { method matchedEmail { id } }
    emailThread { id }
    documents {
      id originalFileName mimeType size sha256 contentUrl
      annotations { id }
    }
    parts { partId contentType outcome }
  }
}
"""

THREAD = """
query Thread($id: ID!) {
  emailThread(id: $id) {
    id subject hasReplies
    emails { totalCount nodes { id subject } }
  }
}
"""

EMAILS = """
query Emails($filter: EmailFilter) {
  emails(filter: $filter, orderBy: { field: CREATED_AT, descending: false }) {
    totalCount
    nodes { id subject }
  }
}
"""

SEND_EMAIL = """
mutation Send($input: SendEmailInput!) {
  sendEmail(input: $input) {
    __typename
    ... on Task { id kind status email { id deliveryStatus } }
    ... on InputError { code field message }
  }
}
"""


@dataclass
class Imported:
    """An importEmail call: what the mutation answered and the finished task."""

    result: dict[str, Any]
    task: dict[str, Any]

    @property
    def email_id(self) -> str:
        return self.task["email"]["id"]


@pytest.fixture(scope="module")
def api(stack: Stack, tenant: Tenant) -> Api:
    """serve, worker and smtpd running together; a client with the admin token."""
    stack.start_serve()
    stack.start_worker()
    stack.start_smtpd()
    return stack.api(tenant.token)


@pytest.fixture(scope="module")
def invoice(api: Api) -> Imported:
    """examples/invoice.eml imported by multipart upload."""
    result = api.import_upload(example("invoice.eml"), INBOX, "invoice.eml")
    assert result["__typename"] == "Task", result
    return Imported(result, api.wait_task(result["id"]))


@pytest.fixture(scope="module")
def reply(api: Api, invoice: Imported) -> Imported:
    """examples/reply.eml imported as rawMessageBase64, after the invoice."""
    result = api.import_base64(example("reply.eml"), INBOX)
    assert result["__typename"] == "Task", result
    return Imported(result, api.wait_task(result["id"]))


def get_email(api: Api, email_id: str) -> dict[str, Any]:
    found = api.data(EMAIL, {"id": email_id})["email"]
    assert found is not None, email_id
    return found


def test_an_uploaded_invoice_becomes_an_email_with_its_pdf(
    api: Api, tenant: Tenant, stack: Stack, invoice: Imported
):
    # Given the invoice uploaded to importEmail (fixture `invoice`)
    # Then the mutation answered a queued import task at once
    assert invoice.result["kind"] == "IMPORT_EMAIL"
    assert invoice.result["status"] == "QUEUED"

    # And the worker finished it
    assert invoice.task["status"] == "SUCCEEDED", invoice.task
    assert invoice.task["error"] is None

    # And the email is the invoice, in the inbox and queue the CLI created
    found = get_email(api, invoice.email_id)
    assert found["type"] == "INCOMING"
    assert found["subject"] == "Invoice INV-2026-0042 for order PO-7781"
    assert found["messageId"].strip("<>") == INVOICE_MESSAGE_ID.strip("<>")
    assert found["from"] == {
        "email": SUPPLIER,
        "name": "Northwind Supplies - Billing",
    }
    assert [a["email"] for a in found["to"]] == [INBOX]
    assert found["inbox"] == {"id": tenant.inbox, "email": INBOX}
    assert found["queue"] == {"id": tenant.queue}
    assert found["creator"] == {"email": "admin@acme.example"}
    assert found["parseDefects"] == []
    assert "EUR 635.25" in found["bodyTextPlain"]
    assert found["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    url, _, signature = found["contentUrl"].partition("?")
    assert url == f"{stack.base_url}/content/emails/{found['id']}"
    assert signature.startswith("expires=") and "&signature=" in signature

    # And its PDF attachment is one document, with one annotation to review
    (document,) = found["documents"]
    assert document["originalFileName"] == PDF_NAME
    assert document["mimeType"] == "application/pdf"
    assert document["size"] == len(INVOICE_PDF)
    assert document["sha256"] == sha256(INVOICE_PDF)
    assert len(document["annotations"]) == 1
    assert document["contentUrl"].partition("?")[0] == (
        f"{stack.base_url}/content/documents/{document['id']}"
    )
    outcomes = {p["contentType"]: p["outcome"] for p in found["parts"]}
    assert outcomes["application/pdf"] == "DOCUMENT"
    assert outcomes["text/plain"] == "BODY"


def test_a_reply_imported_as_base64_joins_the_invoice_thread(
    api: Api, invoice: Imported, reply: Imported
):
    # Given the invoice, then its reply imported as base64 (fixtures)
    assert reply.result["status"] == "QUEUED"
    assert reply.task["status"] == "SUCCEEDED", reply.task

    # Then the reply is matched to the invoice by its In-Reply-To
    invoice_email = get_email(api, invoice.email_id)
    found = get_email(api, reply.email_id)
    assert found["subject"] == "Re: Invoice INV-2026-0042 for order PO-7781"
    assert found["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": invoice.email_id},
    }
    assert found["inReplyTo"].strip("<>") == INVOICE_MESSAGE_ID.strip("<>")
    assert found["emailThread"] == invoice_email["emailThread"]
    assert found["documents"] == []


def test_the_thread_lists_invoice_and_reply(
    api: Api, invoice: Imported, reply: Imported
):
    # Given the invoice and its reply in one thread
    thread_id = get_email(api, invoice.email_id)["emailThread"]["id"]

    # When the client lists the thread's emails, and the incoming emails by thread
    thread = api.data(THREAD, {"id": thread_id})["emailThread"]
    listed = api.data(EMAILS, {"filter": {"thread": thread_id, "type": "INCOMING"}})

    # Then both list the invoice, then the reply (later tests add a sent reply)
    expected = [invoice.email_id, reply.email_id]
    assert thread["hasReplies"] is True
    assert [e["id"] for e in thread["emails"]["nodes"]][:2] == expected
    assert listed["emails"]["totalCount"] == 2
    assert [e["id"] for e in listed["emails"]["nodes"]] == expected


def test_a_reply_sent_through_the_api_reaches_the_smtp_server(
    api: Api, stack: Stack, invoice: Imported
):
    # Given the imported invoice
    invoice_email = get_email(api, invoice.email_id)

    # When the client sends a reply to it
    sent = api.data(
        SEND_EMAIL,
        {
            "input": {
                "parentEmail": invoice.email_id,
                "to": [{"email": SUPPLIER, "name": "Northwind Billing"}],
                "templateValues": {
                    "message": "<p>Thank you, we received INV-2026-0042.</p>"
                },
            }
        },
    )["sendEmail"]

    # Then the outgoing email exists at once and its task succeeds
    assert sent["__typename"] == "Task", sent
    assert sent["kind"] == "SEND_EMAIL"
    assert sent["email"]["deliveryStatus"] in {"QUEUED", "SENDING", "SENT"}
    task = api.wait_task(sent["id"])
    assert task["status"] == "SUCCEEDED", task
    outgoing = api.data(
        "query($id: ID!) { email(id: $id) { type deliveryStatus labels "
        "emailThread { id } messageId } }",
        {"id": sent["email"]["id"]},
    )["email"]
    assert outgoing["type"] == "OUTGOING"
    assert outgoing["deliveryStatus"] == "SENT"
    assert "REPLY" in outgoing["labels"]
    assert outgoing["emailThread"] == invoice_email["emailThread"]

    # And the SMTP server received it for the supplier, as a reply to the invoice
    received = wait_until(
        lambda: [m for m in stack.sink.sink.received if SUPPLIER in m.recipients],
        timeout=20,
        what="the reply at the SMTP sink",
    )
    assert len(received) == 1
    message = email.message_from_bytes(received[0].data, policy=email.policy.default)
    assert SUPPLIER in message["To"]
    assert INBOX in message["From"]  # from the inbox the invoice arrived at
    assert message["In-Reply-To"].strip() == INVOICE_MESSAGE_ID
    assert INVOICE_MESSAGE_ID in message["References"]
    assert message["Subject"].startswith("Re: ")
    assert message["Message-ID"].strip("<>") == outgoing["messageId"].strip("<>")


def test_mail_received_over_smtp_becomes_an_email(
    api: Api, stack: Stack, invoice: Imported
):
    # Given the forward of the invoice, sent by a mail server as CRLF lines
    raw = example("forward.eml").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    # When it is delivered to smtpd for the inbox address
    with smtplib.SMTP("127.0.0.1", stack.smtpd_port, timeout=20) as smtp:
        refused = smtp.sendmail("tom.becker@acme.example", [INBOX], raw)

    # Then smtpd accepted it
    assert refused == {}

    # And it shows up as an email, with no creator and the same PDF document
    subject = "Fwd: Invoice INV-2026-0042 for order PO-7781"
    listed = wait_until(
        lambda: api.data(EMAILS, {"filter": {"subject": subject}})["emails"]["nodes"],
        timeout=45,
        what="the forwarded email in `emails`",
        interval=0.5,
    )
    assert len(listed) == 1
    found = get_email(api, listed[0]["id"])
    assert found["from"]["email"] == "tom.becker@acme.example"
    assert found["creator"] is None
    assert found["inbox"]["email"] == INBOX
    (document,) = found["documents"]
    assert document["originalFileName"] == PDF_NAME
    assert document["sha256"] == sha256(INVOICE_PDF)


def test_smtpd_refuses_an_unknown_recipient_at_rcpt(stack: Stack, api: Api):
    # Given an SMTP session with smtpd
    with smtplib.SMTP("127.0.0.1", stack.smtpd_port, timeout=20) as smtp:
        smtp.ehlo("mx.example.net")
        assert smtp.mail("someone@example.net")[0] == 250

        # When the sender names an address no inbox receives mail for
        code, _ = smtp.rcpt("nobody@demo.example.com")

        # Then it is refused at RCPT, permanently, while the inbox is accepted
        assert code == 550
        assert smtp.rcpt(INBOX)[0] == 250
        smtp.rset()


def test_raw_message_and_document_download_with_the_token(
    api: Api, stack: Stack, invoice: Imported
):
    # Given the imported invoice and the URLs the API gives for its content
    found = get_email(api, invoice.email_id)
    (document,) = found["documents"]

    # When the client downloads them with its bearer token
    raw = api.get(found["contentUrl"])
    pdf = api.get(document["contentUrl"])

    # Then it gets the very bytes it uploaded, and the PDF's bytes
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("message/rfc822")
    assert raw.content == example("invoice.eml")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert sha256(pdf.content) == document["sha256"] == sha256(INVOICE_PDF)

    # And without a token the signed URL still opens (as a browser's link), the
    # bare path does not
    signed = api.get(document["contentUrl"], headers={"Authorization": ""})
    assert signed.status_code == 200 and signed.content == pdf.content
    bare = document["contentUrl"].partition("?")[0]
    assert api.get(bare, headers={"Authorization": ""}).status_code == 401


def test_readyz_answers_ok(api: Api):
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


# ---- the last two tests stop the processes


def test_no_process_failed_and_each_stops_cleanly_on_sigterm(api: Api, stack: Stack):
    # Given the tour above, in which no response was a server error
    assert stack.failed_exchanges() == []
    assert len(stack.exchanges) > 10

    # And no process logged a traceback or answered 5xx
    assert stack.server_errors() == {}

    # When serve, worker and smtpd get SIGTERM
    codes = stack.stop_services()

    # Then each exits in time, cleanly
    assert codes == EXPECTED_EXIT_CODES
    assert stack.server_errors() == {}


def test_no_embedded_redis_server_is_left_behind(api: Api, stack: Stack):
    if not stack.embedded_redis:
        pytest.skip("Redis is TEST_REDIS_URL's, not embedded")
    # Given the embedded redis-server the processes shared
    assert stack.redis_server_pid is not None

    # When every process has ended
    stack.stop_services()
    assert not any(p.alive() for p in stack.processes)

    # Then the redis-server is gone too (test_embedded_redis: not always)
    wait_until(
        lambda: not is_redis_server(stack.redis_server_pid),
        timeout=10,
        what=f"redis-server (pid {stack.redis_server_pid}) to exit",
    )
