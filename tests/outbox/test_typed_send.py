"""sendEmail's typed fields (from, subject, message, text) and new attachments
(multipart Upload or base64): what arrives at a real SMTP server, what is stored,
and every bad value refused with an InputError and nothing created."""

import base64
from typing import Any

import pytest

from app.documents.models import Document
from tests.factories import make_inbox
from tests.helpers import assert_input_error, gid, gid_of, sha
from tests.intake.importing import multipart_upload, post_multipart
from tests.outbox.sending import (
    CSV,
    PDF,
    SEND,
    outgoing_rows,
    parse,
    queue_with_inbox,
    send,
    sent_task,
    task_of,
    to,
)

EMAIL_DOCUMENTS = """
query($id: ID!) {
  email(id: $id) {
    from { email name }
    documents { originalFileName mimeType size sha256 annotations { id } }
  }
}"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_two_new_attachments_from_a_chosen_inbox_arrive_intact(
    admin, smtp_sink, run_jobs
):
    # given a queue whose first inbox is ap@, and a second inbox billing@
    queue = await queue_with_inbox(admin.organization_id)
    await make_inbox(
        admin.organization_id, "billing@acme.test", queue=queue, name="Acme Billing"
    )
    # when an email is sent from billing@ with typed fields, one file uploaded
    # (multipart) and one in base64
    variables: dict[str, Any] = {
        "input": {
            "queue": gid_of(queue),
            "to": to("xavier@client.test"),
            "from": "Billing@Acme.test",
            "subject": "Invoice {{ number }}",
            "message": "<p>See the <b>invoice</b>.</p>",
            "text": "Plain: see invoice {{ number }}.",
            "templateValues": {"number": "2024-7", "text": "ignored: typed wins"},
            "attachments": [
                {"filename": "Rechnung März.pdf", "contentType": "application/pdf"},
                {
                    "filename": "../data.csv",
                    "contentType": "text/csv",
                    "contentBase64": b64(CSV),
                },
            ],
        }
    }
    response = await post_multipart(
        admin,
        multipart_upload(
            SEND,
            variables,
            {"variables.input.attachments.0.file": ("invoice.pdf", PDF)},
        ),
    )
    assert response.status_code == 200, response.text
    task = response.json()["data"]["sendEmail"]
    assert task["__typename"] == "Task", task
    await run_jobs()

    # then the task succeeded and one message arrived from billing@
    assert (await task_of(admin, task["id"]))["status"] == "SUCCEEDED"
    [received] = smtp_sink.received
    assert received.sender == "billing@acme.test"
    msg = parse(received.data)
    assert msg["From"].addresses[0].addr_spec == "billing@acme.test"
    assert msg["From"].addresses[0].display_name == "Acme Billing"
    assert msg["Subject"] == "Invoice 2024-7"
    # with the given text part and the HTML
    assert msg.get_body(("plain",)).get_content().strip() == (
        "Plain: see invoice 2024-7."
    )
    assert "<b>invoice</b>" in msg.get_body(("html",)).get_content()
    # and both files intact, the non-ASCII name encoded as RFC 2231 says
    files = {
        p.get_filename(): (p.get_content_type(), sha(p.get_payload(decode=True)))
        for p in msg.iter_attachments()
    }
    assert files == {
        "Rechnung März.pdf": ("application/pdf", sha(PDF)),
        "data.csv": ("text/csv", sha(CSV)),
    }
    assert b"filename*=utf-8''Rechnung%20M%C3%A4rz.pdf" in received.data
    # and the email lists both as its Documents, without annotations
    email = (await admin.data(EMAIL_DOCUMENTS, {"id": task["email"]["id"]}))["email"]
    assert email["from"] == {"email": "billing@acme.test", "name": "Acme Billing"}
    assert sorted(
        (d["originalFileName"], d["mimeType"], d["size"], d["sha256"], d["annotations"])
        for d in email["documents"]
    ) == [
        ("Rechnung März.pdf", "application/pdf", len(PDF), sha(PDF), []),
        ("data.csv", "text/csv", len(CSV), sha(CSV), []),
    ]


async def test_typed_fields_win_over_template_values_and_template_text_is_used(
    admin, smtp_sink, run_jobs
):
    # given a queue with an inbox
    queue = await queue_with_inbox(admin.organization_id)
    # when one email gives typed subject and message beside templateValues', and
    # another gives its plain text in templateValues.text
    typed = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("a@client.test"),
        subject="Typed {{ n }}",
        message="<p>typed {{ n }}</p>",
        templateValues={"subject": "old", "message": "<p>old</p>", "n": "1"},
    )
    keyed = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("b@client.test"),
        templateValues={
            "subject": "Keyed",
            "message": "<p>html {{ n }}</p>",
            "text": "text {{ n }}",
            "n": "2",
        },
    )
    # then the typed ones are used (and the text made from the HTML)
    assert typed["email"]["subject"] == "Typed 1"
    assert "typed 1" in typed["email"]["bodyTextHtml"]
    assert typed["email"]["bodyTextPlain"].strip() == "typed 1"
    # and templateValues.text is the plain part, not text made from the HTML
    assert keyed["email"]["bodyTextPlain"] == "text 2"
    await run_jobs()
    plain = {
        parse(m.data)["Subject"]: parse(m.data).get_body(("plain",)).get_content()
        for m in smtp_sink.received
    }
    assert plain["Keyed"].strip() == "text 2"


async def test_without_from_the_default_sender_stays(admin, smtp_sink, run_jobs):
    # given a queue whose first inbox is ap@ and a later inbox billing@
    queue = await queue_with_inbox(admin.organization_id)
    await make_inbox(admin.organization_id, "billing@acme.test", queue=queue)
    # when sent without `from`, then it goes out from the queue's first inbox
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("a@client.test"), subject="Hi"
    )
    assert task["email"]["from"]["email"] == "ap@acme.test"


BAD_INPUT = {
    "from: not an inbox": ({"from": "nobody@acme.test"}, "NOT_FOUND", "from"),
    "from: another organization's inbox": (
        {"from": "theirs@other.test"},
        "NOT_FOUND",
        "from",
    ),
    "from: not an address": ({"from": "billing"}, "BAD_REQUEST", "from"),
    "from: line break": (
        {"from": "ap@acme.test\r\nBcc: v@evil.test"},
        "BAD_REQUEST",
        "from",
    ),
    "subject: line break": (
        {"subject": "Hi\u2028Bcc: v@evil.test"},
        "BAD_REQUEST",
        "subject",
    ),
    "subject: too long": ({"subject": "s" * 999}, "BAD_REQUEST", "subject"),
    "subject: not a template": ({"subject": "{% if %}"}, "BAD_REQUEST", "subject"),
    "message: too large": (
        {"message": "<p>" + "x" * (256 * 1024) + "</p>"},
        "BAD_REQUEST",
        "message",
    ),
    "message: not a template": ({"message": "<p>{{ x </p>"}, "BAD_REQUEST", "message"),
    "text: too large": ({"text": "x" * (256 * 1024 + 1)}, "BAD_REQUEST", "text"),
    "text: not a template": ({"text": "{{ x"}, "BAD_REQUEST", "text"),
    "templateValues.text: not a string": (
        {"templateValues": {"text": 3}},
        "BAD_REQUEST",
        "templateValues.text",
    ),
    "attachment: no content": (
        {"attachments": [{"filename": "a.pdf"}]},
        "BAD_REQUEST",
        "attachments",
    ),
    "attachment: bad base64": (
        {"attachments": [{"filename": "a.pdf", "contentBase64": "%%%"}]},
        "BAD_REQUEST",
        "attachments",
    ),
    "attachment: empty": (
        {"attachments": [{"filename": "a.pdf", "contentBase64": ""}]},
        "BAD_REQUEST",
        "attachments",
    ),
    "attachment: bad content type": (
        {
            "attachments": [
                {
                    "filename": "a.pdf",
                    "contentType": "pdf\r\nX: 1",
                    "contentBase64": b64(PDF),
                }
            ]
        },
        "BAD_REQUEST",
        "attachments",
    ),
}


@pytest.mark.parametrize(
    ("extra", "code", "field"), BAD_INPUT.values(), ids=BAD_INPUT.keys()
)
async def test_bad_typed_input_is_an_input_error_and_creates_nothing(
    admin, make_org, extra, code, field
):
    # given a queue with an inbox, and another organization's inbox
    queue = await queue_with_inbox(admin.organization_id)
    other = await make_org("Other")
    await queue_with_inbox(other.organization_id, inbox="theirs@other.test")
    # when a send has the bad value
    result = await send(admin, queue=gid_of(queue), to=to("a@client.test"), **extra)
    # then it is an InputError naming the field, and nothing was created
    assert_input_error(result, code, field)
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert await Document.filter(organization_id=admin.organization_id).count() == 0


async def test_attachments_and_bodies_together_over_the_message_limit(admin, settings):
    # given MAX_MESSAGE_BYTES of 50 kB, an existing 20 kB document and a new 20 kB
    # file (each fits; with base64's growth together they do not)
    settings(max_message_bytes="50000")
    queue = await queue_with_inbox(admin.organization_id)
    blob = b"%PDF-1.4\n" + b"x" * 20_000
    document = await Document.create(
        organization_id=admin.organization_id, size=len(blob), blob_key="none"
    )
    # when both are sent
    result = await send(
        admin,
        queue=gid_of(queue),
        to=to("a@client.test"),
        attachDocuments=[gid("Document", document.id)],
        attachments=[{"filename": "big.pdf", "contentBase64": b64(blob)}],
    )
    # then PAYLOAD_TOO_LARGE names the attachments, and nothing new was stored
    assert_input_error(result, "PAYLOAD_TOO_LARGE", "attachments")
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert [d.id for d in await Document.all()] == [document.id]
