"""The message a send puts on the wire: headers, bodies, attachments, the sender's
address, and the file transport (MAIL_URL=file://)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from tests.factories import make_document
from tests.helpers import gid, gid_of
from tests.outbox.sending import (
    CSV,
    INBOX,
    INBOX_NAME,
    PDF,
    PNG,
    parse,
    queue_with_inbox,
    sent_task,
    task_of,
    to,
)


async def test_received_message_has_the_headers_bodies_and_attachments_asked_for(
    admin, smtp_sink, run_jobs
):
    # given a queue with an inbox and three documents
    queue = await queue_with_inbox(admin.organization_id)
    docs = [
        await make_document(
            admin.organization_id, PDF, "invoice 2024-7.pdf", "application/pdf"
        ),
        await make_document(
            admin.organization_id, CSV, "Rechnung März.csv", "text/csv"
        ),
        await make_document(admin.organization_id, PNG, "scan.png", "image/png"),
    ]
    # when an email is sent to, cc and bcc with custom headers, an HTML message and
    # the documents attached
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=[{"email": "Xavier@Client.test", "name": "Xavier Client"}],
        cc=to("carol@client.test"),
        bcc=to("hidden@secret.test"),
        headers={"X-Ticket": "42", "X-Note": "Grüße aus Köln"},
        templateValues={
            "subject": "Invoice {{ number }}",
            "message": '<p onclick="steal()">Dear {{ client }},</p>'
            "<script>alert('x')</script>"
            '<p>see <a href="javascript:alert(1)" onmouseover="x()">this</a> '
            "<b>bold</b> &amp; more</p>",
            "number": "2024-7",
            "client": "Xavier Client",
        },
        attachDocuments=[gid("Document", d.id) for d in docs],
    )
    queued = task["email"]
    # then the email exists at once, QUEUED, with its final Message-ID
    assert queued["deliveryStatus"] == "QUEUED" and queued["type"] == "OUTGOING"
    assert queued["messageId"].startswith("<") and queued["messageId"].endswith(
        "@acme.test>"
    )
    assert queued["tryCount"] == 0 and queued["lastTries"] == []
    assert smtp_sink.received == []

    await run_jobs()

    # then the task succeeded and the email is SENT after one try
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["error"] is None
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT"
    assert (
        sent["tryCount"] == 1
        and sent["sentAt"] is not None
        and sent["failedAt"] is None
    )
    assert [t["status"] for t in sent["lastTries"]] == ["250"]
    assert sent["refusedRecipients"] == []
    # and one message reached the server, addressed to to + cc + bcc
    assert len(smtp_sink.received) == 1
    received = smtp_sink.received[0]
    assert received.sender == INBOX
    assert sorted(received.recipients) == [
        "carol@client.test",
        "hidden@secret.test",
        "xavier@client.test",
    ]
    # with the headers of the email
    msg = parse(received.data)
    assert msg["From"].addresses[0].addr_spec == INBOX
    assert msg["From"].addresses[0].display_name == INBOX_NAME
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Xavier Client", "xavier@client.test")
    ]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["carol@client.test"]
    assert msg["Subject"] == "Invoice 2024-7" == sent["subject"]
    assert msg["Message-ID"] == sent["messageId"] == queued["messageId"]
    assert abs(msg["Date"].datetime - datetime.now(UTC)) < timedelta(minutes=5)
    assert msg["X-Ticket"] == "42"
    assert msg["X-Note"] == "Grüße aus Köln"
    assert msg["In-Reply-To"] is None and msg["References"] is None
    # and no trace of the bcc recipient anywhere in the message
    assert msg["Bcc"] is None
    assert b"hidden@secret.test" not in received.data
    assert b"bcc:" not in received.data.lower()
    # and a text alternative made from the sanitized HTML
    body = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert body is not None and html is not None
    plain_text, html_text = body.get_content(), html.get_content()
    assert "Dear Xavier Client," in plain_text and "bold & more" in plain_text
    assert "alert" not in plain_text and "<" not in plain_text
    assert "Dear Xavier Client," in html_text and "<b>bold</b>" in html_text
    for dangerous in ("<script", "onclick", "onmouseover", "javascript:", "steal("):
        assert dangerous not in html_text.lower()
        assert dangerous not in sent["bodyTextHtml"].lower()
    # and the attachments byte for byte, with their names and types
    attachments = [
        (p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
        for p in msg.iter_attachments()
    ]
    assert attachments == [
        ("invoice 2024-7.pdf", "application/pdf", PDF),
        ("Rechnung März.csv", "text/csv", CSV),
        ("scan.png", "image/png", PNG),
    ]
    # and the API still shows the bcc to the organization, but not the raw message
    assert sent["bcc"] == [{"email": "hidden@secret.test", "name": None}]
    raw = await admin.client.get(
        urlparse(sent["contentUrl"]).path,
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert raw.status_code == 200, raw.text
    stored = parse(raw.content)
    assert stored["Message-ID"] == sent["messageId"] and stored["Bcc"] is None
    assert b"hidden@secret.test" not in raw.content


async def test_queue_without_inbox_sends_from_the_configured_address(
    admin, smtp_sink, run_jobs, settings
):
    # given a queue without an inbox and MAIL_FROM configured
    settings(mail_from="robot@mailroom.test")
    queue = await queue_with_inbox(admin.organization_id, inbox=None)
    # when an email is sent from it
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"subject": "Hi", "message": "<p>Hi</p>"},
    )
    await run_jobs()
    # then it goes out from that address
    msg = parse(smtp_sink.received[0].data)
    assert msg["From"].addresses[0].addr_spec == "robot@mailroom.test"
    assert smtp_sink.received[0].sender == "robot@mailroom.test"
    assert (await task_of(admin, task["id"]))["email"]["from"][
        "email"
    ] == "robot@mailroom.test"


async def test_file_mail_url_writes_one_eml_per_email(
    admin, run_jobs, settings, tmp_path
):
    # given MAIL_URL pointing at a directory
    outbox = tmp_path / "outbox"
    settings(mail_url=f"file://{outbox}")
    queue = await queue_with_inbox(admin.organization_id)
    # when two emails are sent
    first = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        bcc=to("hidden@secret.test"),
        templateValues={"subject": "One", "message": "<p>1</p>"},
    )
    second = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("y@client.test"),
        templateValues={"subject": "Two", "message": "<p>2</p>"},
    )
    await run_jobs()
    # then each is one .eml file holding that message
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    messages = {
        parse(f.read_bytes())["Message-ID"]: parse(f.read_bytes()) for f in files
    }
    assert set(messages) == {first["email"]["messageId"], second["email"]["messageId"]}
    assert messages[first["email"]["messageId"]]["Subject"] == "One"
    assert messages[first["email"]["messageId"]]["Bcc"] is None
    assert all(b"hidden@secret.test" not in f.read_bytes() for f in files)
    for task in (first, second):
        assert (await task_of(admin, task["id"]))["email"]["deliveryStatus"] == "SENT"
    assert not [p for p in outbox.iterdir() if p.suffix != ".eml"]  # no temp files left
