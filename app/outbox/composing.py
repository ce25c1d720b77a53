"""Build the RFC 822 message of an outgoing Email (pure: the caller reads the blobs)."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from app.core.validation import has_line_break
from app.documents.models import Document
from app.mail.models import Email


def _address(item: dict[str, str]) -> Address:
    local, _, domain = item["email"].rpartition("@")
    return Address(display_name=item.get("name") or "", username=local, domain=domain)


def compose(
    email: Email,
    *,
    html: str,
    text: str,
    attachments: list[tuple[Document, bytes]],
) -> EmailMessage:
    """The message as sent: Bcc recipients are envelope-only, never a header.
    ValueError for a header value with a line break (a row older than the checks
    of sendEmail): the standard library refuses CR and LF, not VT, NEL or U+2028."""
    msg = EmailMessage()
    msg["From"] = _address({"email": email.from_address, "name": email.from_name})
    if email.to:
        msg["To"] = [_address(a) for a in email.to]
    if email.cc:
        msg["Cc"] = [_address(a) for a in email.cc]
    msg["Subject"] = email.subject
    # Fixed when the email was stored, so Email.date is the Date it goes out with.
    msg["Date"] = format_datetime(email.date or datetime.now(UTC))
    msg["Message-ID"] = email.message_id
    if email.in_reply_to:
        msg["In-Reply-To"] = " ".join(email.in_reply_to)
    if email.references:
        msg["References"] = " ".join(email.references)
    for name, value in (email.headers or {}).items():
        msg[name] = value
    msg.set_content(text or " ")
    if html:
        msg.add_alternative(html, subtype="html")
    for document, content in attachments:
        maintype, _, subtype = document.mime_type.partition("/")
        msg.add_attachment(
            content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=document.original_file_name,
        )
    for part in msg.walk():
        for name, value in part.items():
            if has_line_break(str(value)):
                raise ValueError(f"the {name} header holds a line break")
    return msg


# Bodies and attachments this large are composed and flattened in a thread: on the
# event loop a 10 MB attachment held every other job (and the lease heartbeats)
# for about a second (bench/LEVERS.md). Below it the thread hop costs more.
OFF_LOOP_BYTES = 256 * 1024


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    data: bytes  # the message as stored (Email.raw_blob_key)
    wire: bytes | None  # for the relay, made with `data`; None: flattened when sent


async def composed(
    email: Email,
    *,
    html: str,
    text: str,
    attachments: list[tuple[Document, bytes]],
    wire: Callable[[EmailMessage, bytes], bytes | None],
) -> Composed:
    """`compose`, the message's bytes and its bytes for the relay (`wire`, given the
    message and its bytes); a large message off the event loop."""

    def build() -> Composed:
        message = compose(email, html=html, text=text, attachments=attachments)
        data = bytes(message)
        return Composed(message, data, wire(message, data))

    size = len(html) + len(text) + sum(len(content) for _, content in attachments)
    if size < OFF_LOOP_BYTES:
        return build()
    return await asyncio.to_thread(build)


def envelope_recipients(email: Email) -> list[str]:
    return [a["email"] for a in [*email.to, *email.cc, *email.bcc]]
