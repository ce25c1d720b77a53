"""What parsing a message produces: ParsedMessage, its attachments and the
Email.parts entries, shared by the MIME walk, the header readers and TNEF."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.intake.decoding import clean_text
from app.intake.parts import PartOutcome

# Where a problem was found ("header From", a part id) and what it was.
DefectSink = Callable[[str, object], None]


@dataclass
class Attachment:
    part_id: str
    filename: str
    declared_type: str
    data: bytes
    content_id: str | None
    mime_type: str = ""  # sniffed from the bytes (content.read_content)
    inline: bool = False  # an image the HTML body shows
    # Filled in by keeping.keep_attachments in the parse process, which writes the
    # kept ones to the file store (blob_key) and drops `data` of all it need not
    # send back to the worker.
    size: int = 0
    sha256: str = ""
    outcome: PartOutcome | None = None
    blob_key: str | None = None


@dataclass
class RecipientStatus:
    """One per-recipient block of a delivery status notification."""

    recipient: str  # Final-Recipient's address
    action: str  # failed, delayed, delivered, relayed, expanded (lower case)
    status: str  # e.g. 5.1.1
    diagnostic: str  # Diagnostic-Code without its type, e.g. "550 5.1.1 user unknown"


@dataclass
class DeliveryReport:
    """A delivery status notification (app.intake.reports): the Message-ID of
    the message it reports on ("" when it returns none) and its recipients."""

    original_message_id: str
    recipients: list[RecipientStatus] = field(default_factory=list)


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None  # the Date header in UTC, None when unreadable
    # Every header (name, decoded value), in order; the job caps what is stored.
    headers: list[tuple[str, str]] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: list[dict[str, str]] = field(default_factory=list)
    cc: list[dict[str, str]] = field(default_factory=list)
    text: str = ""  # the inline plain-text parts, joined in order
    html: str = ""  # the first inline HTML part
    # Inline text parts in order (content type, text); HTML only where no plain
    # alternative stands for it: what the stored plain text is made of.
    inline_texts: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # One dict per MIME part, in Email.parts shape; `outcome` may be revised later.
    parts: list[dict[str, Any]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    html_cids: set[str] = field(default_factory=set)
    # Auto-Submitted, Precedence: bulk/list, List-Id...: no automatic answer to it.
    automatic: bool = False
    # The mailing list's own addresses when it came through one (List-Id, List-Post,
    # Precedence: list/bulk): never a participant the subject fallback may share.
    list_addresses: list[str] = field(default_factory=list)
    # What content.read_content makes of the bodies: the text to store (the inline
    # parts joined, HTML made text), the new text of a reply, and the sanitized
    # HTML, whose inline images point at part_url_mark + part id.
    plain: str = ""
    reply: str = ""
    safe_html: str = ""
    part_url_mark: str = ""
    # The first multipart/report; report-type=delivery-status it contains.
    report: DeliveryReport | None = None
    raw_size: int = 0  # bytes of the message (keeping.parse_stored)


def part_record(
    part_id: str,
    ctype: str,
    disposition: str | None,
    content_id: str | None,
    filename: str | None,
    charset: str | None,
    size: int,
    outcome: PartOutcome | None,
) -> dict[str, Any]:
    """One Email.parts entry; documentId is filled in once the document exists.
    Header-derived text is cleaned of NULs: PostgreSQL's JSON refuses them."""
    return {
        "partId": part_id,
        "contentType": clean_text(ctype),
        "disposition": clean_text(disposition) if disposition is not None else None,
        "contentId": content_id,
        "filename": filename,
        "charset": clean_text(charset) if charset is not None else None,
        "size": size,
        "outcome": outcome.value if outcome else None,
        "documentId": None,
    }
