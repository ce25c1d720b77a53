"""The send pipeline end to end: sendEmail over HTTP, a real arq burst worker, a real
SMTP server (aiosmtpd, the `smtp_sink` fixture) and the stored Email / Task rows as the
API shows them. Received messages are parsed the way a mail client would
(`email.message_from_bytes(data, policy=policy.default)`).
"""

import asyncio
import base64
import email as email_lib
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

import pytest
from arq.utils import timestamp_ms
from tortoise.transactions import in_transaction

from app.accounts.models import Organization
from app.core.blobs import blob_store
from app.core.ids import encode as global_id
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes.models import Inbox, Queue
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailThread,
    EmailType,
    ThreadMatchMethod,
)
from app.mail.service import NewEmail, record_email
from app.outbox.jobs import send_email_job
from app.settings import get_settings
from app.tasks.models import Task, TaskStatus
from app.worker import build_worker, queue_name
from tests.helpers import Actor

INBOX = "ap@acme.test"
INBOX_NAME = "Acme AP"

SENT_FIELDS = """
fragment Sent on Email {
  id type subject messageId inReplyTo references deliveryStatus sendAt sendBefore
  tryCount sentAt failedAt bodyTextPlain bodyTextHtml labels
  lastTries { at status detail }
  refusedRecipients { email code message }
  from { email name } to { email name } cc { email name } bcc { email name }
  parent { id } emailThread { id } creator { id } contentUrl
  relatedAnnotations { id } relatedDocuments { id }
}
"""

SEND = (
    """
mutation Send($input: SendEmailInput!) {
  sendEmail(input: $input) {
    __typename
    ... on Task { id kind status email { ...Sent } }
    ... on InputError { code field message }
  }
}
"""
    + SENT_FIELDS
)

TASK = (
    """
query Task($id: ID!) {
  task(id: $id) {
    id kind status attempts error { code message }
    email { ...Sent }
  }
}
"""
    + SENT_FIELDS
)

CANCEL = """
mutation Cancel($id: ID!) {
  cancelEmail(id: $id) {
    __typename
    ... on Email { id deliveryStatus }
    ... on InputError { code field message }
  }
}"""

LIMITS = "{ limits { sendLimit sendLimitLeft maxRecipients } }"


# ---------------------------------------------------------------------------
# Helpers (test_templates.py uses them too)


def pk_of(gid: str) -> str:
    return base64.b64decode(gid).decode().split(":", 1)[1]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def make_queue(
    organization_id: int,
    *,
    inbox: str | None = INBOX,
    inbox_name: str = INBOX_NAME,
    **inbox_settings: Any,
) -> Queue:
    """A queue, with an inbox to send from unless `inbox` is None."""
    queue = await Queue.create(
        organization_id=organization_id, name=f"Queue {uuid.uuid4().hex[:6]}"
    )
    if inbox is not None:
        await Inbox.create(
            organization_id=organization_id,
            queue=queue,
            email=inbox,
            name=inbox_name,
            **inbox_settings,
        )
    return queue


def queue_gid(queue: Queue) -> str:
    return global_id("Queue", queue.id)


async def make_document(
    organization_id: int,
    data: bytes,
    name: str,
    mime_type: str,
    *,
    email_id: int | None = None,
) -> Document:
    return await Document.create(
        organization_id=organization_id,
        email_id=email_id,
        original_file_name=name,
        mime_type=mime_type,
        size=len(data),
        sha256=sha(data),
        blob_key=blob_store().put(data),
    )


async def make_incoming(
    organization_id: int,
    queue: Queue,
    *,
    subject: str,
    message_id: str,
    from_address: str = "alice@vendor.test",
    from_name: str = "Alice Vendor",
    references: list[str] | None = None,
    parent: Email | None = None,
    inbox: Inbox | None = None,
) -> Email:
    """An incoming email as the import stores it (through the mail service); with
    `parent` it joins the parent's thread as a reply to it; `inbox` it arrived at."""
    thread = await EmailThread.get(id=parent.email_thread_id) if parent else None
    references = references or []
    async with in_transaction():
        return await record_email(
            NewEmail(
                organization_id=organization_id,
                queue_id=queue.id,
                type=EmailType.INCOMING,
                subject=subject,
                from_address=from_address,
                from_name=from_name,
                to=[{"email": inbox.email if inbox else INBOX, "name": ""}],
                extra={
                    "inbox_id": inbox.id if inbox else None,
                    "message_id": message_id,
                    "references": references,
                    "in_reply_to": references[-1:],
                    "parent_id": parent.id if parent else None,
                    "body_text_plain": f"body of {subject}",
                },
            ),
            thread=thread,
            match_method=ThreadMatchMethod.IN_REPLY_TO,
        )


async def send(actor: Actor, **input: Any) -> dict[str, Any]:
    """sendEmail; the SendEmailResult."""
    return (await actor.data(SEND, {"input": input}))["sendEmail"]


async def sent_task(actor: Actor, **input: Any) -> dict[str, Any]:
    """sendEmail that must be accepted; the Task."""
    result = await send(actor, **input)
    assert result["__typename"] == "Task", result
    assert result["kind"] == "SEND_EMAIL" and result["status"] == "QUEUED"
    return result


async def task_of(actor: Actor, task_id: str) -> dict[str, Any]:
    return (await actor.data(TASK, {"id": task_id}))["task"]


def parse(data: bytes) -> EmailMessage:
    return email_lib.message_from_bytes(data, policy=policy.default)


def to(*addresses: str) -> list[dict[str, str]]:
    return [{"email": a} for a in addresses]


async def outgoing_rows(organization_id: int) -> tuple[int, int]:
    """(outgoing Email rows, Task rows) of the organization."""
    emails = await Email.filter(
        organization_id=organization_id, type=EmailType.OUTGOING
    ).count()
    tasks = await Task.filter(organization_id=organization_id).count()
    return emails, tasks


async def run_due_jobs(redis: Any) -> None:
    """Run the jobs that are due now, leaving deferred ones (sendAt in the future) in
    the queue: the `run_jobs` fixture's burst worker would wait for those."""
    while due := await redis.zcount(queue_name(), "-inf", timestamp_ms()):
        worker = build_worker(
            burst=True,
            redis_pool=redis,
            poll_delay=0.01,
            max_burst_jobs=due,
            cron_jobs=[],
        )
        await worker.main()


async def make_job_due(redis: Any, task_id: str) -> None:
    """What time passing does to a deferred job: it becomes due now."""
    await redis.zadd(queue_name(), {pk_of(task_id): timestamp_ms()})


def future(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


# ---------------------------------------------------------------------------
# The message as received


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n\x00\xff\x00trailer\n%%EOF\n"
CSV = "item;amount\r\nwidget;12,50\nnaïve;café\r\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_received_message_has_the_headers_bodies_and_attachments_asked_for(
    admin, smtp_sink, run_jobs
):
    # given a queue with an inbox and three documents
    queue = await make_queue(admin.organization_id)
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
        queue=queue_gid(queue),
        to=[{"email": "Xavier@Client.test", "name": "Xavier Client"}],
        cc=to("carol@client.test"),
        bcc=to("hidden@secret.test"),
        headers={"X-Ticket": "42", "X-Note": "Grüße aus Köln"},
        templateValues={
            "subject": "Invoice {{ number }}",
            "message": '<p onclick="steal()">Dear {{ user_name }},</p>'
            "<script>alert('x')</script>"
            '<p>see <a href="javascript:alert(1)" onmouseover="x()">this</a> '
            "<b>bold</b> &amp; more</p>",
            "number": "2024-7",
        },
        attachDocuments=[global_id("Document", d.id) for d in docs],
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
    admin, smtp_sink, run_jobs, monkeypatch
):
    # given a queue without an inbox and MAIL_FROM configured
    monkeypatch.setenv("MAIL_FROM", "robot@mailroom.test")
    get_settings.cache_clear()
    queue = await make_queue(admin.organization_id, inbox=None)
    # when an email is sent from it
    task = await sent_task(
        admin,
        queue=queue_gid(queue),
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


# ---------------------------------------------------------------------------
# Replies and forwards


async def test_replies_join_the_thread_and_chain_their_references(
    admin, smtp_sink, run_jobs
):
    # given an incoming email
    queue = await make_queue(admin.organization_id)
    first = await make_incoming(
        admin.organization_id,
        queue,
        subject="Invoice 7",
        message_id="<a-1@vendor.test>",
        references=["<older@vendor.test>"],
    )
    first_gid = global_id("Email", first.id)
    thread_gid = global_id("EmailThread", first.email_thread_id)

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
        parentEmail=global_id("Email", answer.id),
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
    queue = await make_queue(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Re: Order 55",
        message_id="<o-55@vendor.test>",
    )
    result = await sent_task(
        admin, parentEmail=global_id("Email", parent.id), to=to("alice@vendor.test")
    )
    assert result["email"]["subject"] == "Re: Order 55"


async def test_forward_carries_the_parents_documents(admin, smtp_sink, run_jobs):
    # given an incoming email with two documents, and one more document
    queue = await make_queue(admin.organization_id)
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
        parentEmail=global_id("Email", parent.id),
        labels=["FORWARDED"],
        to=to("accounting@acme-partner.test"),
        attachDocuments=[
            global_id("Document", own.id),
            global_id("Document", extra.id),
        ],
    )
    # then it is a forward, not a reply
    forward = result["email"]
    assert forward["labels"] == ["FORWARDED"]
    assert forward["subject"] == "Fwd: Invoice 7"
    assert forward["parent"]["id"] == global_id("Email", parent.id)
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
    queue = await make_queue(admin.organization_id)
    result = await send(
        admin, queue=queue_gid(queue), labels=["FORWARDED"], to=to("x@client.test")
    )
    assert result["__typename"] == "InputError"
    assert (result["code"], result["field"]) == ("BAD_REQUEST", "labels")
    assert await outgoing_rows(admin.organization_id) == (0, 0)


async def test_reply_goes_out_from_the_inbox_the_parent_arrived_at(
    admin, smtp_sink, run_jobs
):
    # given a queue fed by two inboxes, and an email that arrived at the second one
    queue = await make_queue(admin.organization_id, inbox="ap@acme.test")
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
        admin, parentEmail=global_id("Email", parent.id), to=to("alice@vendor.test")
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


# ---------------------------------------------------------------------------
# Related annotations and documents


ANNOTATION = """
query A($id: ID!) {
  annotation(id: $id) { id emailThread { id } relatedEmails { id } }
}"""


async def test_related_annotations_and_documents_are_recorded_and_threads_moved(
    admin, smtp_sink
):
    # given an email thread with an annotation, an annotation in no thread, a document
    queue = await make_queue(admin.organization_id)
    incoming = await make_incoming(
        admin.organization_id, queue, subject="Docs", message_id="<docs@vendor.test>"
    )
    doc = await make_document(
        admin.organization_id, PDF, "a.pdf", "application/pdf", email_id=incoming.id
    )
    in_thread = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        document=doc,
        email=incoming,
        email_thread_id=incoming.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
    )
    loose = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        status=AnnotationStatus.TO_REVIEW,
    )
    a_in, a_loose = (
        global_id("Annotation", in_thread.id),
        global_id("Annotation", loose.id),
    )

    # when an email names both annotations and the document, without the reset flag
    first = (
        await sent_task(
            admin,
            queue=queue_gid(queue),
            to=to("x@client.test"),
            relatedAnnotations=[a_in, a_loose],
            relatedDocuments=[global_id("Document", doc.id)],
        )
    )["email"]
    # then they are recorded on the email
    assert sorted(a["id"] for a in first["relatedAnnotations"]) == sorted(
        [a_in, a_loose]
    )
    assert first["relatedDocuments"] == [{"id": global_id("Document", doc.id)}]
    # and the annotation without a thread joined the new email's thread;
    # the other one stayed where it was
    loose_now = (await admin.data(ANNOTATION, {"id": a_loose}))["annotation"]
    assert loose_now["emailThread"]["id"] == first["emailThread"]["id"]
    assert first["id"] in [e["id"] for e in loose_now["relatedEmails"]]
    in_now = (await admin.data(ANNOTATION, {"id": a_in}))["annotation"]
    assert in_now["emailThread"]["id"] == global_id(
        "EmailThread", incoming.email_thread_id
    )

    # when another email names it with resetRelatedAnnotationsEmailThread
    second = (
        await sent_task(
            admin,
            queue=queue_gid(queue),
            to=to("y@client.test"),
            relatedAnnotations=[a_in],
            resetRelatedAnnotationsEmailThread=True,
        )
    )["email"]
    # then the annotation moved into that email's thread
    in_now = (await admin.data(ANNOTATION, {"id": a_in}))["annotation"]
    assert in_now["emailThread"]["id"] == second["emailThread"]["id"]
    assert second["emailThread"]["id"] != first["emailThread"]["id"]


# ---------------------------------------------------------------------------
# Validation: nothing is stored, nothing reaches the server


def _addresses(n: int, domain: str = "client.test") -> list[dict[str, str]]:
    return [{"email": f"r{i}@{domain}"} for i in range(n)]


BAD_INPUTS = {
    "41 recipients": (
        {
            "to": _addresses(20),
            "cc": _addresses(20, "cc.test"),
            "bcc": to("one-too-many@bcc.test"),
        },
        "to",
    ),
    "41 bcc": ({"to": [], "bcc": _addresses(41)}, "to"),
    "no recipient": ({"to": [], "cc": [], "bcc": []}, "to"),
    "bad address": ({"cc": to("not-an-address")}, "cc"),
    "address without domain dot": ({"bcc": to("x@localhost")}, "bcc"),
    "address with CRLF": ({"to": to("x@client.test\r\nBcc: v@evil.test")}, "to"),
    "name with CRLF": (
        {"to": [{"email": "x@client.test", "name": "X\r\nBcc: v@evil.test"}]},
        "to",
    ),
    "CRLF in subject": (
        {"templateValues": {"subject": "Hi\r\nBcc: v@evil.test"}},
        "templateValues.subject",
    ),
    "LF in subject": (
        {"templateValues": {"subject": "Hi\nX-Injected: 1"}},
        "templateValues.subject",
    ),
    "CRLF via a custom value": (
        {
            "templateValues": {
                "subject": "Hi {{ name }}",
                "name": "x\r\nBcc: v@evil.test",
            }
        },
        "templateValues.subject",
    ),
    "CRLF in a header value": (
        {"headers": {"X-Ticket": "42\r\nBcc: v@evil.test"}},
        "headers",
    ),
    "reserved header Bcc": ({"headers": {"Bcc": "v@evil.test"}}, "headers"),
    "reserved header From": ({"headers": {"from": "boss@acme.test"}}, "headers"),
    "reserved header Message-ID": (
        {"headers": {"Message-ID": "<x@y.test>"}},
        "headers",
    ),
    "bad header name": ({"headers": {"X Bad:Name": "1"}}, "headers"),
    "non-string header value": ({"headers": {"X-Count": 3}}, "headers"),
    "template syntax error in message": (
        {"templateValues": {"message": "<p>{{ oops </p>"}},
        "templateValues.message",
    ),
    "template syntax error in subject": (
        {"templateValues": {"subject": "{% if %}"}},
        "templateValues.subject",
    ),
    "oversize message": (
        {"templateValues": {"message": "<p>" + "x" * (256 * 1024) + "</p>"}},
        "templateValues.message",
    ),
    "oversize subject": (
        {"templateValues": {"subject": "s" * 999}},
        "templateValues.subject",
    ),
    "sendBefore in the past": (
        {"sendBefore": "2020-01-01T00:00:00+00:00"},
        "sendBefore",
    ),
    "sendAt after sendBefore": (
        {
            "sendAt": "2999-01-02T00:00:00+00:00",
            "sendBefore": "2999-01-01T00:00:00+00:00",
        },
        "sendAt",
    ),
    "no queue and no parent": ({"queue": None}, "queue"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
async def test_invalid_send_is_refused_and_nothing_is_stored_or_sent(
    admin, smtp_sink, run_jobs, case
):
    # given a valid send request, spoiled in one way
    queue = await make_queue(admin.organization_id)
    changes, field = BAD_INPUTS[case]
    request = {
        "queue": queue_gid(queue),
        "to": to("x@client.test"),
        "templateValues": {"subject": "Hello", "message": "<p>Hi</p>"},
        **changes,
    }
    # when it is sent
    result = await send(admin, **request)
    # then it is an InputError naming the field
    assert result["__typename"] == "InputError", result
    assert result["code"] == "BAD_REQUEST"
    assert result["field"] == field
    assert result["message"]
    # and nothing was stored, queued or delivered
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0 and smtp_sink.received == []


async def test_forty_recipients_are_allowed_and_repeats_count_once(
    admin, smtp_sink, run_jobs
):
    # given 40 distinct addresses spread over to/cc/bcc, with repeats in another case
    queue = await make_queue(admin.organization_id)
    addresses = _addresses(40)
    request = {
        "to": addresses[:20],
        "cc": addresses[20:35] + [{"email": a["email"].upper()} for a in addresses[:5]],
        "bcc": addresses[35:] + addresses[10:15],
    }
    # when sent
    result = await sent_task(admin, queue=queue_gid(queue), **request)
    # then the email keeps each address once, in its first place
    stored = result["email"]
    assert [a["email"] for a in stored["to"]] == [a["email"] for a in addresses[:20]]
    assert [a["email"] for a in stored["cc"]] == [a["email"] for a in addresses[20:35]]
    assert [a["email"] for a in stored["bcc"]] == [a["email"] for a in addresses[35:]]
    await run_jobs()
    # and the server was given each of the 40 once
    assert len(smtp_sink.received) == 1
    assert sorted(smtp_sink.received[0].recipients) == sorted(
        a["email"] for a in addresses
    )


async def test_limits_show_the_recipient_cap(admin):
    assert (await admin.data(LIMITS))["limits"]["maxRecipients"] == 40


async def test_attachments_over_the_message_size_limit_are_refused(
    admin, smtp_sink, run_jobs, monkeypatch
):
    # given MAX_MESSAGE_BYTES of 50 kB and a 60 kB document
    monkeypatch.setenv("MAX_MESSAGE_BYTES", "50000")
    get_settings.cache_clear()
    assert (await admin.data("{ limits { maxMessageBytes } }"))["limits"][
        "maxMessageBytes"
    ] == 50000
    queue = await make_queue(admin.organization_id)
    big = await make_document(
        admin.organization_id,
        bytes(range(256)) * 240,
        "big.bin",
        "application/octet-stream",
    )
    # when it is attached
    result = await send(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test"),
        attachDocuments=[global_id("Document", big.id)],
    )
    # then the send is refused up front, as an import of that size would be
    assert result["__typename"] == "InputError", (
        "a message over maxMessageBytes was queued"
    )
    assert (result["code"], result["field"]) == ("PAYLOAD_TOO_LARGE", "attachDocuments")
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0


async def test_other_organizations_rows_are_not_found(
    admin, make_org, smtp_sink, run_jobs
):
    # given another organization's queue, email, document, annotation and template
    other = await make_org("Other")
    their_queue = await make_queue(other.organization_id, inbox="in@other.test")
    their_email = await make_incoming(
        other.organization_id,
        their_queue,
        subject="Theirs",
        message_id="<theirs@other.test>",
    )
    their_doc = await make_document(
        other.organization_id,
        PDF,
        "theirs.pdf",
        "application/pdf",
        email_id=their_email.id,
    )
    their_annotation = await Annotation.create(
        organization_id=other.organization_id, queue=their_queue, document=their_doc
    )
    template = (
        await other.data(
            "mutation { createEmailTemplate("
            'input: {name: "T", subject: "S", message: "M"}) '
            "{ ... on EmailTemplate { id } } }"
        )
    )["createEmailTemplate"]["id"]
    queue = await make_queue(admin.organization_id)
    mine = {"queue": queue_gid(queue), "to": to("x@client.test")}
    cases = [
        ({"queue": queue_gid(their_queue)}, "queue"),
        (
            {"parentEmail": global_id("Email", their_email.id), "queue": None},
            "parentEmail",
        ),
        ({"parentEmail": global_id("Email", their_email.id)}, "parentEmail"),
        ({"attachDocuments": [global_id("Document", their_doc.id)]}, "attachDocuments"),
        (
            {"relatedDocuments": [global_id("Document", their_doc.id)]},
            "relatedDocuments",
        ),
        (
            {"relatedAnnotations": [global_id("Annotation", their_annotation.id)]},
            "relatedAnnotations",
        ),
        ({"emailTemplate": template}, "emailTemplate"),
        ({"queue": global_id("Queue", 987654)}, "queue"),
    ]
    for changes, field in cases:
        # when the caller names one of them
        result = await send(admin, **{**mine, **changes})
        # then it does not exist for them
        assert result["__typename"] == "InputError", (changes, result)
        assert (result["code"], result["field"]) == ("NOT_FOUND", field), (
            changes,
            result,
        )
        assert "Theirs" not in result["message"]
    # and nothing was stored or sent, in either organization
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert await outgoing_rows(other.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0


async def test_viewer_may_not_send(admin, smtp_sink):
    from app.accounts.models import Role

    viewer = await admin.add_user(Role.VIEWER)
    queue = await make_queue(admin.organization_id)
    body = await viewer.gql(
        SEND, {"input": {"queue": queue_gid(queue), "to": to("x@y.test")}}
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_FORBIDDEN"
    assert await outgoing_rows(admin.organization_id) == (0, 0)


# ---------------------------------------------------------------------------
# Delivery: retries and failures


async def test_temporary_failure_is_retried_and_delivered_once(
    admin, smtp_sink, run_jobs
):
    # given a server that answers the first DATA with a 4xx
    smtp_sink.data_replies = ["451 4.3.0 Try again later"]
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test"),
        templateValues={"subject": "Retry me"},
    )
    # when the worker runs
    await run_jobs()
    # then the second try delivered one copy
    assert smtp_sink.attempts == 2
    assert len(smtp_sink.received) == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["error"] is None
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 2
    assert [t["status"] for t in sent["lastTries"]] == ["451", "250"]
    assert "Try again later" in sent["lastTries"][0]["detail"]
    assert sent["lastTries"][0]["at"] <= sent["lastTries"][1]["at"]


async def test_permanent_failure_fails_with_the_servers_reply(
    admin, smtp_sink, run_jobs
):
    # given a server that refuses the message for good
    smtp_sink.data_replies = ["554 5.7.1 Message rejected as spam"]
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    await run_jobs()
    # then it is not retried, and the failure says why
    assert smtp_sink.attempts == 1 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "BAD_REQUEST"
    assert "Message rejected as spam" in done["error"]["message"]
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["failedAt"] is not None
    assert failed["sentAt"] is None and failed["tryCount"] == 1
    assert [t["status"] for t in failed["lastTries"]] == ["554"]
    assert "Message rejected as spam" in failed["lastTries"][0]["detail"]


async def test_temporary_failures_past_the_try_limit_fail(
    admin, smtp_sink, run_jobs, monkeypatch
):
    # given SEND_MAX_TRIES=4 and a server that is always busy
    monkeypatch.setenv("SEND_MAX_TRIES", "4")
    get_settings.cache_clear()
    smtp_sink.data_replies = [f"452 4.3.1 Busy {i}" for i in range(1, 10)]
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    # when the worker runs
    await run_jobs()
    # then it gave up after four tries, keeping the last three
    assert smtp_sink.attempts == 4 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Busy 4" in done["error"]["message"]
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 4
    assert [t["detail"].split()[-1] for t in failed["lastTries"]] == ["2", "3", "4"]
    assert {t["status"] for t in failed["lastTries"]} == {"452"}


async def test_a_refused_recipient_is_reported_while_the_others_get_it(
    admin, smtp_sink, run_jobs
):
    # given a server that has no mailbox for one of the recipients
    smtp_sink.refuse = {"gone@client.test": "550 5.1.1 No such user"}
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test", "gone@client.test"),
        cc=to("c@client.test"),
    )
    await run_jobs()
    # then the others received it and the refusal is on the email
    assert [sorted(m.recipients) for m in smtp_sink.received] == [
        ["c@client.test", "x@client.test"]
    ]
    sent = (await task_of(admin, task["id"]))["email"]
    assert sent["deliveryStatus"] == "SENT"
    assert len(sent["refusedRecipients"]) == 1
    refused = sent["refusedRecipients"][0]
    assert refused["email"] == "gone@client.test" and refused["code"] == 550
    assert "No such user" in refused["message"]


async def test_all_recipients_refused_fails(admin, smtp_sink, run_jobs):
    smtp_sink.refuse = {
        "a@client.test": "550 5.1.1 No such user",
        "b@client.test": "550 5.1.1 No such user",
    }
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin, queue=queue_gid(queue), to=to("a@client.test"), bcc=to("b@client.test")
    )
    await run_jobs()
    assert smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 1
    assert failed["lastTries"][-1]["status"] == "550"
    assert sorted(r["email"] for r in failed["refusedRecipients"]) == [
        "a@client.test",
        "b@client.test",
    ]


async def test_an_attachment_that_cannot_be_read_fails_the_send_clearly(
    admin, smtp_sink, run_jobs
):
    # given an email attaching a document whose bytes are gone from the blob store
    queue = await make_queue(admin.organization_id)
    document = await make_document(
        admin.organization_id, b"%PDF-1.4 lost", "lost.pdf", "application/pdf"
    )
    task = await sent_task(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test"),
        attachDocuments=[global_id("Document", document.id)],
    )
    blob_store().path(document.blob_key).unlink()
    # when the worker runs
    await run_jobs()
    # then nothing is sent, and the task and the email say it failed (not left
    # RUNNING / QUEUED for ever)
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED", (done["status"], done["email"]["deliveryStatus"])
    assert done["error"] is not None
    assert done["email"]["deliveryStatus"] == "FAILED"


# ---------------------------------------------------------------------------
# At most once


async def test_a_job_run_again_after_sent_sends_nothing(admin, smtp_sink, run_jobs):
    # given an email that was sent
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    await run_jobs()
    assert len(smtp_sink.received) == 1
    # when its job runs again (a duplicate delivery of the job, the task put back)
    task_pk = pk_of(task["id"])
    await Task.filter(id=task_pk).update(status=TaskStatus.QUEUED)
    outcome = await send_email_job({}, task_pk)
    # then nothing more is sent and the task ends as it was
    assert outcome == "already sent"
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["email"]["deliveryStatus"] == "SENT" and done["email"]["tryCount"] == 1


async def test_two_workers_running_the_same_job_at_once_send_it_once(admin, smtp_sink):
    # given a queued email
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    # when two workers pick its job up at the same moment
    outcomes = await asyncio.gather(
        send_email_job({}, pk_of(task["id"])), send_email_job({}, pk_of(task["id"]))
    )
    # then one sends it and the other does nothing
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(smtp_sink.received) == 1 and smtp_sink.attempts == 1
    done = await task_of(admin, task["id"])
    assert done["status"] == "SUCCEEDED" and done["attempts"] == 1
    assert done["email"]["tryCount"] == 1


async def test_an_email_left_sending_by_a_crash_is_not_sent_again(
    admin, smtp_sink, run_jobs
):
    # given an email whose worker died while handing it over
    # (the email SENDING, its task QUEUED again)
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    email_pk = int(pk_of(task["email"]["id"]))
    await Email.filter(id=email_pk).update(
        delivery_status=DeliveryStatus.SENDING, try_count=1
    )
    # when the job runs
    await run_jobs()
    # then it does not send, and says why
    assert smtp_sink.attempts == 0 and smtp_sink.received == []
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED" and done["error"]["code"] == "CONFLICT"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["failedAt"] is not None
    assert failed["lastTries"][-1]["status"] == "UNKNOWN"
    assert "interrupted" in failed["lastTries"][-1]["detail"]


# ---------------------------------------------------------------------------
# Scheduling and cancelling


async def test_send_at_in_the_future_waits_until_then(
    admin, smtp_sink, redis, run_jobs
):
    # given an email scheduled an hour from now
    queue = await make_queue(admin.organization_id)
    when = future(hours=1)
    task = await sent_task(
        admin, queue=queue_gid(queue), to=to("x@client.test"), sendAt=when
    )
    scheduled = task["email"]
    assert scheduled["deliveryStatus"] == "SCHEDULED"
    assert datetime.fromisoformat(scheduled["sendAt"]) == datetime.fromisoformat(when)
    # when the jobs that are due now run
    await run_due_jobs(redis)
    # then nothing was sent
    assert smtp_sink.attempts == 0
    waiting = await task_of(admin, task["id"])
    assert waiting["status"] == "QUEUED"
    assert waiting["email"]["deliveryStatus"] == "SCHEDULED"
    # when the hour has passed
    email_pk = int(pk_of(scheduled["id"]))
    await Email.filter(id=email_pk).update(
        send_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await make_job_due(redis, task["id"])
    await run_jobs()
    # then it is sent, once
    assert len(smtp_sink.received) == 1
    assert (await task_of(admin, task["id"]))["email"]["deliveryStatus"] == "SENT"


async def test_send_at_in_the_past_sends_at_once(admin, smtp_sink, run_jobs):
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin, queue=queue_gid(queue), to=to("x@client.test"), sendAt=future(minutes=-5)
    )
    assert task["email"]["deliveryStatus"] == "QUEUED"
    await run_jobs()
    assert len(smtp_sink.received) == 1


async def test_cancel_stops_a_scheduled_email(admin, smtp_sink, redis, run_jobs):
    # given a scheduled email
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin, queue=queue_gid(queue), to=to("x@client.test"), sendAt=future(hours=1)
    )
    # when it is cancelled
    result = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    # then it is CANCELLED, and so is its task
    assert result == {
        "__typename": "Email",
        "id": task["email"]["id"],
        "deliveryStatus": "CANCELLED",
    }
    cancelled = await task_of(admin, task["id"])
    assert cancelled["status"] == "CANCELLED"
    # and when its time comes and the job runs, nothing is sent
    await make_job_due(redis, task["id"])
    await run_jobs()
    assert smtp_sink.attempts == 0
    after = await task_of(admin, task["id"])
    assert after["status"] == "CANCELLED"
    assert (
        after["email"]["deliveryStatus"] == "CANCELLED"
        and after["email"]["tryCount"] == 0
    )
    # and cancelling again is harmless
    again = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    assert again["deliveryStatus"] == "CANCELLED"


async def test_cancel_stops_a_queued_email(admin, smtp_sink, run_jobs):
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    result = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    assert result["deliveryStatus"] == "CANCELLED"
    await run_jobs()
    assert smtp_sink.attempts == 0
    assert (await task_of(admin, task["id"]))["status"] == "CANCELLED"


async def test_cancel_of_a_sent_or_incoming_email_conflicts(
    admin, make_org, smtp_sink, run_jobs
):
    # given a sent email, an incoming email and another organization's outgoing email
    queue = await make_queue(admin.organization_id)
    task = await sent_task(admin, queue=queue_gid(queue), to=to("x@client.test"))
    await run_jobs()
    incoming = await make_incoming(
        admin.organization_id, queue, subject="In", message_id="<in@vendor.test>"
    )
    other = await make_org("Other")
    their_queue = await make_queue(other.organization_id, inbox="in@other.test")
    theirs = await sent_task(
        other, queue=queue_gid(their_queue), to=to("x@client.test")
    )
    # when each is cancelled
    sent = (await admin.data(CANCEL, {"id": task["email"]["id"]}))["cancelEmail"]
    inc = (await admin.data(CANCEL, {"id": global_id("Email", incoming.id)}))[
        "cancelEmail"
    ]
    foreign = (await admin.data(CANCEL, {"id": theirs["email"]["id"]}))["cancelEmail"]
    # then
    assert (sent["__typename"], sent["code"], sent["field"]) == (
        "InputError",
        "CONFLICT",
        "id",
    )
    assert "SENT" in sent["message"]
    assert (inc["__typename"], inc["code"]) == ("InputError", "CONFLICT")
    assert (foreign["__typename"], foreign["code"]) == ("InputError", "NOT_FOUND")
    assert (await Email.get(id=int(pk_of(theirs["email"]["id"])))).delivery_status == (
        DeliveryStatus.QUEUED
    )
    assert (await task_of(admin, task["id"]))["email"]["deliveryStatus"] == "SENT"


CANCEL_TASK = """
mutation CancelTask($id: ID!) {
  cancelTask(id: $id) {
    __typename
    ... on Task { id status }
    ... on InputError { code field message }
  }
}"""


@pytest.mark.parametrize("scheduled", [False, True], ids=["queued", "scheduled"])
async def test_cancel_task_of_a_send_cancels_the_email_too(
    admin, smtp_sink, redis, run_jobs, scheduled
):
    # given an organization with a send limit and a queued (or scheduled) email
    await Organization.filter(id=admin.organization_id).update(send_limit=5)
    queue = await make_queue(admin.organization_id)
    extra = {"sendAt": future(hours=1)} if scheduled else {}
    task = await sent_task(
        admin, queue=queue_gid(queue), to=to("x@client.test"), **extra
    )
    # when its task is cancelled (cancelTask, not cancelEmail)
    result = (await admin.data(CANCEL_TASK, {"id": task["id"]}))["cancelTask"]
    assert result == {"__typename": "Task", "id": task["id"], "status": "CANCELLED"}
    await make_job_due(redis, task["id"])
    await run_jobs()
    # then nothing is sent, and the email does not claim it is still on its way
    assert smtp_sink.attempts == 0
    email = (await task_of(admin, task["id"]))["email"]
    assert email["deliveryStatus"] == "CANCELLED", email["deliveryStatus"]
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 5


async def test_send_before_passed_when_the_job_runs_expires(admin, smtp_sink, run_jobs):
    # given an email that must go out within the hour
    queue = await make_queue(admin.organization_id)
    task = await sent_task(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test"),
        sendBefore=future(hours=1),
    )
    assert task["email"]["sendBefore"] is not None
    # when the hour has passed before the worker gets to it
    await Email.filter(id=int(pk_of(task["email"]["id"]))).update(
        send_before=datetime.now(UTC) - timedelta(minutes=1)
    )
    await run_jobs()
    # then it expired unsent
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED" and done["error"]["code"] == "CONFLICT"
    assert done["email"]["deliveryStatus"] == "EXPIRED"
    assert done["email"]["sentAt"] is None and done["email"]["tryCount"] == 0


# ---------------------------------------------------------------------------
# Send limit and idempotency


async def test_send_limit_is_enforced_and_cancelled_emails_give_it_back(
    admin, smtp_sink, run_jobs
):
    # given an organization that may send two emails
    await Organization.filter(id=admin.organization_id).update(send_limit=2)
    queue = await make_queue(admin.organization_id)
    assert (await admin.data(LIMITS))["limits"]["sendLimit"] == 2
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 2
    request = {"queue": queue_gid(queue), "to": to("x@client.test")}
    # when it sends two
    first = await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 1
    await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0
    # then a third is refused, and nothing is stored for it
    third = await send(admin, **request)
    assert third["__typename"] == "InputError" and third["code"] == "RATE_LIMITED", (
        third
    )
    assert await outgoing_rows(admin.organization_id) == (2, 2)
    # when one of the two is cancelled, its allowance comes back
    await admin.data(CANCEL, {"id": first["email"]["id"]})
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 1
    await sent_task(admin, **request)
    assert (await admin.data(LIMITS))["limits"]["sendLimitLeft"] == 0
    assert (await send(admin, **request))["code"] == "RATE_LIMITED"
    # and sent emails still count
    await run_jobs()
    assert len(smtp_sink.received) == 2
    assert (await admin.data(LIMITS))["limits"] == {
        "sendLimit": 2,
        "sendLimitLeft": 0,
        "maxRecipients": 40,
    }


async def test_unlimited_organization_has_no_send_limit(admin):
    limits = (await admin.data(LIMITS))["limits"]
    assert limits["sendLimit"] is None and limits["sendLimitLeft"] is None


async def test_idempotency_key_returns_the_same_task_and_sends_once(
    admin, smtp_sink, run_jobs
):
    # given a send with an idempotency key
    queue = await make_queue(admin.organization_id)
    request = {
        "queue": queue_gid(queue),
        "to": to("x@client.test"),
        "idempotencyKey": "order-55-confirmation",
    }
    first = await sent_task(admin, **request)
    # when it is repeated, before and after the worker ran
    again = await send(admin, **request)
    await run_jobs()
    later = await send(admin, **request)
    # then it is the same task and email each time, and one message went out
    assert again["id"] == first["id"] == later["id"]
    assert again["email"]["id"] == first["email"]["id"] == later["email"]["id"]
    assert later["status"] == "SUCCEEDED"
    assert await outgoing_rows(admin.organization_id) == (1, 1)
    assert len(smtp_sink.received) == 1
    # and another key is another email
    other = await sent_task(admin, **{**request, "idempotencyKey": "order-56"})
    assert other["id"] != first["id"]


async def test_idempotency_key_holds_for_concurrent_requests(
    admin, smtp_sink, run_jobs
):
    # given a client that retries a send while the first request is still running
    queue = await make_queue(admin.organization_id)
    request = {
        "queue": queue_gid(queue),
        "to": to("x@client.test"),
        "idempotencyKey": "retry-storm",
    }
    # when three identical requests arrive together
    results = await asyncio.gather(*[send(admin, **request) for _ in range(3)])
    await run_jobs()
    # then they share one task and one email, and one message is sent
    assert [r["__typename"] for r in results] == ["Task"] * 3
    assert len({r["id"] for r in results}) == 1, "each request created its own send"
    assert await outgoing_rows(admin.organization_id) == (1, 1)
    assert len(smtp_sink.received) == 1


async def test_send_limit_holds_for_concurrent_requests(admin, smtp_sink):
    await Organization.filter(id=admin.organization_id).update(send_limit=2)
    queue = await make_queue(admin.organization_id)
    results = await asyncio.gather(
        *[
            send(admin, queue=queue_gid(queue), to=to(f"r{n}@client.test"))
            for n in range(5)
        ]
    )
    assert sorted(r["__typename"] for r in results) == ["InputError"] * 3 + ["Task"] * 2
    assert {r["code"] for r in results if r["__typename"] == "InputError"} == {
        "RATE_LIMITED"
    }
    assert await outgoing_rows(admin.organization_id) == (2, 2)


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
    await make_queue(
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
    await make_queue(
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
    await make_queue(
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


async def test_file_mail_url_writes_one_eml_per_email(
    admin, run_jobs, monkeypatch, tmp_path
):
    # given MAIL_URL pointing at a directory
    outbox = tmp_path / "outbox"
    monkeypatch.setenv("MAIL_URL", f"file://{outbox}")
    get_settings.cache_clear()
    queue = await make_queue(admin.organization_id)
    # when two emails are sent
    first = await sent_task(
        admin,
        queue=queue_gid(queue),
        to=to("x@client.test"),
        bcc=to("hidden@secret.test"),
        templateValues={"subject": "One", "message": "<p>1</p>"},
    )
    second = await sent_task(
        admin,
        queue=queue_gid(queue),
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
