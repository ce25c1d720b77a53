"""Hand a message to MAIL_URL: smtp:// or smtps:// (aiosmtplib), or file://DIR.

Every outcome is a DeliveryResult; the caller decides about retries from
`temporary` (4xx replies, connection trouble before DATA) versus permanent (5xx)
failures. A connection lost or timed out once DATA began is `uncertain`: the server
may have taken the message, so it must not be sent again by itself.

In a worker, sessions are kept and reused (smtp_pool). A kept session that fails
before DATA (the server closed it meanwhile, or allows so many messages a session)
left nothing: the message is sent again at once on a new session, and that first
failure is no try of the email's. Once DATA began, a lost session is `uncertain`
whether it was new or kept.
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
from aiosmtplib.email import flatten_message

from app.core.atomic_files import write_whole
from app.outbox.smtp_pool import SmtpPool, current_pool, quit_session
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
    message: EmailMessage,
    *,
    sender: str,
    recipients: list[str],
    wire: bytes | None = None,
) -> DeliveryResult:
    """`wire`: the message as `wire_bytes` made it (with the stored bytes), used
    when the relay offers 8BITMIME; else aiosmtplib flattens `message` itself."""
    url = urlparse(get_settings().effective_mail_url)
    if url.scheme == "file":
        return _write_file(Path(unquote(url.path)), message)
    if url.scheme in ("smtp", "smtps"):
        envelope = _Envelope(message, sender, recipients, wire)
        return await _send_smtp(url, envelope)
    return DeliveryResult(
        False, "CONFIG", f"Unsupported MAIL_URL scheme {url.scheme!r}"
    )


def wire_bytes(
    message: EmailMessage, sender: str, recipients: list[str], stored: bytes
) -> bytes | None:
    """The message as aiosmtplib sends it to a relay with 8BITMIME (SMTPUTF8 for
    addresses beyond ASCII); None when MAIL_URL is not SMTP. `stored` is the
    message flattened by its own policy: aiosmtplib's (email.policy.SMTP) differs
    from it only in ending lines with CRLF, and the generator ends every line of
    it, headers and bodies, with "\n" (a lone CR too), so that is not flattened
    a second time (tests/outbox/test_message.py)."""
    if urlparse(get_settings().effective_mail_url).scheme not in ("smtp", "smtps"):
        return None
    if _ascii(sender, *recipients):
        return stored.replace(b"\n", b"\r\n")
    return flatten_message(message, utf8=True)


def _ascii(*addresses: str) -> bool:
    return all(a.isascii() for a in addresses)


@dataclass(frozen=True)
class _Envelope:
    message: EmailMessage
    sender: str
    recipients: list[str]
    wire: bytes | None


def _write_file(directory: Path, message: EmailMessage) -> DeliveryResult:
    name = (
        re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>")) + ".eml"
    )
    write_whole(directory / name, bytes(message))
    return DeliveryResult(True, "250", f"written to {directory / name}")


async def _send_smtp(url: ParseResult, envelope: _Envelope) -> DeliveryResult:
    pool = current_pool()
    relay = url.geturl()
    kept = pool.take(relay) if pool is not None else None
    if isinstance(kept, _TrackedSMTP):
        result = await _send_on(kept, envelope, pool, relay)
        if result is not None:
            return result
        # The kept session failed before DATA: nothing left, and it is not this
        # email's try. Once more, on a session of its own.
    client = _TrackedSMTP(
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        start_tls=_STARTTLS.get(parse_qs(url.query).get("starttls", ["auto"])[0]),
        timeout=get_settings().smtp_timeout_seconds,
    )
    result = await _send_on(client, envelope, pool, relay, new=True)
    assert result is not None  # a new session is never stale
    return result


_STARTTLS = {"auto": None, "required": True, "off": False}


async def _send_on(
    client: "_TrackedSMTP",
    envelope: _Envelope,
    pool: SmtpPool | None,
    relay: str,
    *,
    new: bool = False,
) -> DeliveryResult | None:
    """One send on `client` (connected first when `new`), as a DeliveryResult.
    None when a kept session failed before DATA began, whatever the way: closed by
    the server meanwhile (gone, or 421), or a limit of messages per session.
    Nothing left, so a new session decides."""
    client.data_started = False
    try:
        errors, response = await _send_once(client, envelope, pool=pool, relay=relay)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        if not new and not client.data_started:
            return None
        return _failure(exc, data_started=client.data_started)
    refused = [_refusal(addr, code, text) for addr, (code, text) in errors.items()]
    return DeliveryResult(True, "250", response, refused=refused)


def _failure(exc: Exception, *, data_started: bool) -> DeliveryResult:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = [_refusal(e.recipient, e.code, e.message) for e in exc.recipients]
        temporary = all(400 <= r["code"] < 500 for r in refused)
        return DeliveryResult(
            False,
            str(exc.recipients[0].code),
            "all recipients refused",
            temporary=temporary,
            refused=refused,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return DeliveryResult(
            False, str(exc.code), exc.message, temporary=400 <= exc.code < 500
        )
    if data_started:
        return DeliveryResult(False, type(exc).__name__, str(exc), uncertain=True)
    return DeliveryResult(False, type(exc).__name__, str(exc), temporary=True)


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
    envelope: _Envelope,
    *,
    pool: SmtpPool | None,
    relay: str,
) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
    """One mail transaction, on a new session (connected here) or a kept one. A
    session that delivered goes back to the pool; one that failed is closed.
    Cancelled (a worker stopping), it drops the connection at once instead of
    waiting for QUIT: the email is SENDING, so the next run settles it as
    DELIVERY_UNCERTAIN, and the worker is not held past its grace period."""
    try:
        if not client.is_connected:
            await client.connect()
        reply = await _transaction(client, envelope)
    except (asyncio.CancelledError, ConnectionError, TimeoutError):
        client.close()
        raise
    except BaseException:
        await quit_session(client)
        raise
    if pool is not None:
        pool.give_back(relay, client)
    else:
        await quit_session(client)
    return reply


async def _transaction(
    client: aiosmtplib.SMTP, envelope: _Envelope
) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
    """MAIL, RCPT, DATA: the bytes flattened ahead of time if the relay takes them
    as they are (what send_message would choose), else send_message's own."""
    utf8 = not _ascii(envelope.sender, *envelope.recipients)
    if envelope.wire is not None:
        if client.is_ehlo_or_helo_needed:
            with contextlib.suppress(aiosmtplib.SMTPHeloError):
                await client.ehlo()
        if client.supports_extension("8bitmime") and (
            not utf8 or client.supports_extension("smtputf8")
        ):
            options = ["BODY=8BITMIME", *(["SMTPUTF8"] if utf8 else [])]
            return await client.sendmail(
                envelope.sender,
                envelope.recipients,
                envelope.wire,
                mail_options=options,
            )
    return await client.send_message(
        envelope.message, sender=envelope.sender, recipients=envelope.recipients
    )
