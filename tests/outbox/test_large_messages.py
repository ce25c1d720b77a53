"""A message past OFF_LOOP_BYTES is composed and flattened off the event loop, and
goes out as those bytes when the relay offers 8BITMIME (else aiosmtplib flattens
it): either way it arrives whole, as it is stored."""

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.core.blobs import blob_store
from app.mail.models import Email
from app.outbox.composing import OFF_LOOP_BYTES
from tests.conftest import SmtpSink
from tests.factories import make_document
from tests.helpers import gid, pk_of
from tests.outbox.sending import parse, queue_with_inbox, sent_task, task_of, to

PDF = b"%PDF-1.4\n" + random.Random(7).randbytes(OFF_LOOP_BYTES + 100_000)


@pytest.fixture
async def plain_sink(settings: Any) -> AsyncIterator[SmtpSink]:
    """A sink that offers no 8BITMIME (aiosmtpd's decode_data turns it off)."""
    from aiosmtpd.smtp import SMTP

    sink = SmtpSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, decode_data=True), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    settings(mail_url=f"smtp://127.0.0.1:{port}?starttls=off")
    yield sink
    server.close()
    await server.wait_closed()


async def _send_large(admin: Any, run_jobs: Any) -> dict[str, Any]:
    queue = await queue_with_inbox(admin.organization_id)
    document = await make_document(
        admin.organization_id, PDF, "statement.pdf", "application/pdf"
    )
    task = await sent_task(
        admin,
        queue=gid("Queue", queue.id),
        to=to("x@client.test"),
        subject="Your statement",
        message="<p>Attached: <b>your statement</b> – grüße</p>",
        attachDocuments=[gid("Document", document.id)],
    )
    await run_jobs()
    return await task_of(admin, task["id"])


def _arrived_whole(sink: SmtpSink, done: dict[str, Any]) -> bytes:
    """The one message the sink received, checked against what was sent."""
    assert done["email"]["deliveryStatus"] == "SENT"
    [received] = sink.received
    assert _attachment(received.data) == PDF
    assert "grüße" in parse(received.data).get_body(("html",)).get_content()
    return received.data


def _attachment(data: bytes) -> bytes:
    message = parse(data)
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "statement.pdf"
    return part.get_content()


async def test_a_large_message_arrives_whole(admin, smtp_sink, run_jobs):
    done = await _send_large(admin, run_jobs)
    received = _arrived_whole(smtp_sink, done)
    # and what went out is what the email keeps as its raw message
    email = await Email.get(id=pk_of(done["email"]["id"]))
    stored = await blob_store().get(email.raw_blob_key)
    assert parse(stored)["Message-ID"] == parse(received)["Message-ID"]
    assert _attachment(stored) == PDF


async def test_a_large_message_to_a_relay_without_8bitmime(admin, plain_sink, run_jobs):
    _arrived_whole(plain_sink, await _send_large(admin, run_jobs))
