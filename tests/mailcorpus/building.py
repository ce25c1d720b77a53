"""Building blocks of the corpus: headers, multiparts, attachments, and `simple`,
one plain message with optional attachments."""

import base64
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

INBOX = "inbox@acme.test"


# ---------------------------------------------------------------------------
# Helpers


def _headers(
    msg,
    *,
    subject: str,
    sender: str,
    to: str = INBOX,
    message_id: str | None = None,
    date: bool = True,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
) -> None:
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    if date:
        msg["Date"] = formatdate(1_700_000_000, localtime=False)
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references


def _mp(subtype: str, tag: str, **params: str) -> MIMEMultipart:
    """A multipart with a fixed boundary, so a builder always returns the same bytes."""
    return MIMEMultipart(subtype, boundary=f"----=_Part_{tag}", **params)


def _attachment(
    data: bytes,
    maintype: str,
    subtype: str,
    filename: str | None = None,
    *,
    disposition: str = "attachment",
) -> MIMEBase:
    part = MIMEBase(maintype, subtype)
    part.set_payload(data)
    encoders.encode_base64(part)
    if filename is not None:
        part.add_header("Content-Disposition", disposition, filename=filename)
    return part


def _b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data)


# ---------------------------------------------------------------------------
# Everyday mail


def simple(
    *,
    sender: str = "Alice Sender <alice@vendor.test>",
    subject: str = "Hello",
    message_id: str | None = "<simple@vendor.test>",
    to: str = INBOX,
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    text: str = "Hello there.",
    attachments: list[tuple[str, bytes]] = (),
    date: bool = True,
) -> bytes:
    """text/plain, or multipart/mixed with PDF attachments (name, bytes)."""
    if attachments:
        msg = _mp("mixed", "simple")
        msg.attach(MIMEText(text, "plain", "utf-8"))
        for name, data in attachments:
            msg.attach(_attachment(data, "application", "pdf", name))
    else:
        msg = MIMEText(text, "plain", "utf-8")
    _headers(
        msg,
        subject=subject,
        sender=sender,
        to=to,
        cc=cc,
        message_id=message_id,
        date=date,
        in_reply_to=in_reply_to,
        references=references,
    )
    return msg.as_bytes()
