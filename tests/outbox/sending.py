"""Sending through the API: the sendEmail / task / cancelEmail documents, a queue
with an inbox to send from, incoming emails to answer, and what the SMTP sink got.
The send tests run a real arq burst worker and a real SMTP server (aiosmtpd, the
`smtp_sink` fixture); received messages are parsed the way a mail client would.
"""

import email as email_lib
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

from arq.utils import timestamp_ms
from tortoise.transactions import in_transaction

from app.inboxes.models import Inbox, Queue
from app.mail.models import (
    Email,
    EmailThread,
    EmailType,
    ThreadMatchMethod,
)
from app.tasks.models import Task
from app.worker import build_worker, close_smtp, queue_name
from tests.factories import make_inbox, make_queue, record_test_email
from tests.helpers import Actor, pk_of

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


def _task_mutation(signature: str, call: str) -> str:
    """A mutation answering the send Task (with its email) or an InputError."""
    return (
        f"""
mutation {signature} {{
  {call} {{
    __typename
    ... on Task {{ id kind status email {{ ...Sent }} }}
    ... on InputError {{ code field message }}
  }}
}}
"""
        + SENT_FIELDS
    )


SEND = _task_mutation("Send($input: SendEmailInput!)", "sendEmail(input: $input)")

RESEND = _task_mutation("Resend($id: ID!)", "resendEmail(input: {id: $id})")

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
  cancelEmail(input: {id: $id}) {
    __typename
    ... on Email { id deliveryStatus }
    ... on InputError { code field message }
  }
}"""

LIMITS = "{ limits { sendLimit sendLimitLeft maxRecipients } }"


async def queue_with_inbox(
    organization_id: int,
    *,
    inbox: str | None = INBOX,
    inbox_name: str = INBOX_NAME,
    **inbox_settings: Any,
) -> Queue:
    """A queue, with an inbox to send from unless `inbox` is None."""
    queue = await make_queue(organization_id, f"Queue {uuid.uuid4().hex[:6]}")
    if inbox is not None:
        await make_inbox(
            organization_id, inbox, queue=queue, name=inbox_name, **inbox_settings
        )
    return queue


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
        return await record_test_email(
            organization_id=organization_id,
            queue_id=queue.id,
            type=EmailType.INCOMING,
            subject=subject,
            from_address=from_address,
            from_name=from_name,
            to=[{"email": inbox.email if inbox else INBOX, "name": ""}],
            **{
                "inbox_id": inbox.id if inbox else None,
                "message_id": message_id,
                "references": references,
                "in_reply_to": references[-1:],
                "parent_id": parent.id if parent else None,
                "body_text_plain": f"body of {subject}",
            },
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


async def resend(actor: Actor, email_id: str) -> dict[str, Any]:
    """resendEmail; the ResendEmailResult."""
    return (await actor.data(RESEND, {"id": email_id}))["resendEmail"]


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
        try:
            await worker.main()
        finally:
            await close_smtp(worker.ctx)


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
