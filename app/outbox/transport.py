"""Hand a message to MAIL_URL: smtp:// or smtps:// (aiosmtplib), or file://DIR.

Every outcome is a DeliveryResult; the caller decides about retries from
`temporary` (4xx replies, connection trouble before DATA) versus permanent (5xx)
failures. A connection lost or timed out once DATA began is `uncertain`: the server
may have taken the message, so it must not be sent again by itself.
"""

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import ParseResult, parse_qs, unquote, urlparse

import aiosmtplib

from app.core.atomic_files import write_whole
from app.settings import get_settings


class Refusal(TypedDict):
    """A recipient the receiving server refused, kept in Email.refused_recipients."""

    email: str
    code: int
    message: str


@dataclass
class DeliveryResult:
    accepted: bool
    status: str  # SMTP reply code, or a short error class
    detail: str
    temporary: bool = False
    uncertain: bool = False
    refused: list[Refusal] = field(default_factory=list)


async def deliver(
    message: EmailMessage, *, sender: str, recipients: list[str]
) -> DeliveryResult:
    url = urlparse(get_settings().effective_mail_url)
    if url.scheme == "file":
        return _write_file(Path(unquote(url.path)), message)
    if url.scheme in ("smtp", "smtps"):
        return await _send_smtp(url, message, sender, recipients)
    return DeliveryResult(
        False, "CONFIG", f"Unsupported MAIL_URL scheme {url.scheme!r}"
    )


def _write_file(directory: Path, message: EmailMessage) -> DeliveryResult:
    name = (
        re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>")) + ".eml"
    )
    write_whole(directory / name, bytes(message))
    return DeliveryResult(True, "250", f"written to {directory / name}")


async def _send_smtp(
    url: ParseResult, message: EmailMessage, sender: str, recipients: list[str]
) -> DeliveryResult:
    options = parse_qs(url.query)
    starttls = options.get("starttls", ["auto"])[0]
    client = _TrackedSMTP(
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        start_tls={"auto": None, "required": True, "off": False}.get(starttls),
        timeout=get_settings().smtp_timeout_seconds,
    )
    try:
        errors, response = await _send_once(client, message, sender, recipients)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = [_refusal(e.recipient, e.code, e.message) for e in exc.recipients]
        temporary = all(400 <= r["code"] < 500 for r in refused)
        return DeliveryResult(
            False,
            str(exc.recipients[0].code),
            "all recipients refused",
            temporary=temporary,
            refused=refused,
        )
    except aiosmtplib.SMTPResponseException as exc:
        return DeliveryResult(
            False, str(exc.code), exc.message, temporary=400 <= exc.code < 500
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        if client.data_started:
            return DeliveryResult(False, type(exc).__name__, str(exc), uncertain=True)
        return DeliveryResult(False, type(exc).__name__, str(exc), temporary=True)
    refused = [_refusal(addr, code, text) for addr, (code, text) in errors.items()]
    return DeliveryResult(True, "250", response, refused=refused)


class _TrackedSMTP(aiosmtplib.SMTP):
    """aiosmtplib's client, remembering whether the DATA phase began: what tells a
    connection lost before the message left (safe to retry) from one lost after."""

    data_started = False

    async def data(
        self, message: str | bytes, /, **kwargs: Any
    ) -> aiosmtplib.SMTPResponse:
        self.data_started = True
        return await super().data(message, **kwargs)


def _refusal(address: str, code: int, text: str) -> Refusal:
    return {"email": address, "code": int(code), "message": str(text)}


async def _send_once(
    client: aiosmtplib.SMTP,
    message: EmailMessage,
    sender: str,
    recipients: list[str],
) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
    """One SMTP session. Cancelled (a worker stopping), it drops the connection at
    once instead of waiting for QUIT: the email is SENDING, so the next run settles
    it as DELIVERY_UNCERTAIN, and the worker is not held past its grace period."""
    try:
        await client.connect()
        return await client.send_message(message, sender=sender, recipients=recipients)
    except (asyncio.CancelledError, ConnectionError, TimeoutError):
        client.close()
        raise
    finally:
        if client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
