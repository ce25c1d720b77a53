"""Raw RFC 822 bytes -> ParsedMessage (pure; runs in a separate process, see
parse_runner). Tolerant: what it repairs or cannot read goes to `defects`, never
an exception, except for input it cannot treat as a message at all."""

import email
import email.utils
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any

from tnefparse.properties import MAPI_ATTACH_LONG_FILENAME

from app.intake.parts import PartOutcome
from app.intake.sniffing import sanitize_filename

MAX_DEPTH = 32  # multipart nesting levels
MAX_PARTS = 500
MAX_NESTED_MESSAGES = 3  # attached message/rfc822 levels whose attachments we take
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass
class Attachment:
    part_id: str
    filename: str
    declared_type: str
    data: bytes
    content_id: str | None


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to: list[dict[str, str]] = field(default_factory=list)
    cc: list[dict[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    # One dict per MIME part, in Email.parts shape; `outcome` may be revised later.
    parts: list[dict[str, Any]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    html_cids: set[str] = field(default_factory=set)
    # Auto-Submitted, Precedence: bulk/list, List-Id...: no automatic answer to it.
    automatic: bool = False


def _clean(text: str) -> str:
    """Valid Unicode without NULs. Raw 8-bit header bytes arrive as surrogates: they
    are read as UTF-8 when they are UTF-8, else as Windows-1252 (what senders that
    skip RFC 2047 use in practice)."""
    data = text.encode("utf-8", "surrogateescape")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", "replace")
    return decoded.replace("\x00", "")


def _raw_8bit(msg: Message, name: str) -> str | None:
    """The raw value of a header holding undeclared 8-bit bytes (which the parser
    keeps as surrogates and the header policy would turn into U+FFFD), else None."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower() and isinstance(value, str):
            if any("\udc80" <= ch <= "\udcff" for ch in value):
                return " ".join(value.split())
            return None
    return None


def _decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Body text and a defect, if any: declared charset, else UTF-8, else cp1252."""
    if charset is None or charset in ("us-ascii", "ascii"):
        try:
            return data.decode("utf-8").replace("\x00", ""), None
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace").replace("\x00", ""), None
    try:
        return data.decode(charset, "replace").replace("\x00", ""), None
    except LookupError:
        text, _ = _decode_text(data, None)
        return text, f"unknown charset {charset!r}; read as UTF-8 or Windows-1252"


class _Walker:
    def __init__(self) -> None:
        self.result = ParsedMessage()

    def defect(self, where: str, what: object) -> None:
        if len(self.result.defects) < 200:
            self.result.defects.append(f"{where}: {what}")

    def header(self, msg: Message, name: str) -> str:
        raw = _raw_8bit(msg, name)
        if raw is not None:  # bytes outside ASCII with no RFC 2047: decode them here
            self.defect(f"header {name}", "8-bit bytes without encoding")
            return _clean(raw).strip()
        try:
            value = msg.get(name)
            return _clean(str(value)).strip() if value is not None else ""
        except Exception as exc:  # malformed header the policy cannot parse
            self.defect(f"header {name}", exc)
            raw_values = msg.get_all(name, failobj=[""])  # type: ignore[arg-type]
            return _clean(str(raw_values[0])).strip()

    def addresses(self, msg: Message, name: str) -> list[dict[str, str]]:
        raw = _raw_8bit(msg, name)
        try:
            if raw is not None:
                raise ValueError("8-bit bytes without encoding")
            value = msg.get(name)
            if value is None:
                return []
            found = [
                {"email": _clean(a.addr_spec).lower(), "name": _clean(a.display_name)}
                for a in getattr(value, "addresses", ())
                if a.username and a.domain
            ]
        except Exception as exc:
            self.defect(f"header {name}", exc)
            values = [_clean(raw)] if raw is not None else msg.get_all(name, [])
            pairs = email.utils.getaddresses([str(v) for v in values])
            found = [
                {"email": _clean(a).lower(), "name": _clean(n)}
                for n, a in pairs
                if "@" in a
            ]
        return found

    def run(self, raw: bytes) -> ParsedMessage:
        try:
            msg = email.message_from_bytes(raw, policy=policy.default)
        except RecursionError:
            # The standard parser recurses once per multipart level.
            msg = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
            self.defect(
                "message", "MIME structure nested too deeply; only headers read"
            )
            self.read_headers(msg)
            return self.result
        self.read_headers(msg)
        self.walk(msg, "1", depth=0, nested=0, body_allowed=True)
        self.result.html_cids = {
            c.strip("<>").lower() for c in _CID.findall(self.result.html)
        }
        return self.result

    def read_headers(self, msg: Message) -> None:
        r = self.result
        for defect in msg.defects:
            self.defect("message", type(defect).__name__)
        r.message_id = _first_id(self.header(msg, "Message-ID"))
        r.in_reply_to = _MSGID.findall(self.header(msg, "In-Reply-To"))
        r.references = _MSGID.findall(self.header(msg, "References"))
        r.subject = " ".join(self.header(msg, "Subject").split())
        sender = self.addresses(msg, "From") or self.addresses(msg, "Sender")
        if sender:
            r.from_address, r.from_name = sender[0]["email"], sender[0]["name"]
        r.to = self.addresses(msg, "To")
        r.cc = self.addresses(msg, "Cc")
        r.automatic = _is_automatic(msg, self.header)
        if not r.message_id:
            self.defect("message", "no Message-ID")

    def walk(
        self,
        root: Message,
        root_id: str,
        *,
        depth: int,
        nested: int,
        body_allowed: bool,
    ) -> None:
        stack: list[tuple[Message, str, int]] = [(root, root_id, depth)]
        while stack:
            part, part_id, level = stack.pop()
            if len(self.result.parts) >= MAX_PARTS:
                self.defect(
                    part_id, f"more than {MAX_PARTS} parts; the rest was skipped"
                )
                return
            if level > MAX_DEPTH:
                self.defect(part_id, f"nested deeper than {MAX_DEPTH} levels; skipped")
                continue
            for defect in part.defects if part is not root or level else ():
                self.defect(part_id, type(defect).__name__)
            if part.is_multipart() and part.get_content_maintype() == "multipart":
                self.record(part, part_id, None)
                children = part.get_payload()
                if isinstance(children, list):
                    for i, child in reversed(list(enumerate(children, 1))):
                        stack.append((child, f"{part_id}.{i}", level + 1))
                continue
            self.leaf(part, part_id, level, nested, body_allowed)

    def leaf(
        self, part: Message, part_id: str, level: int, nested: int, body_allowed: bool
    ) -> None:
        ctype = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = self._filename(part, part_id)
        if ctype == "message/rfc822":
            inner = part.get_payload()
            size = len(inner[0].as_bytes()) if isinstance(inner, list) and inner else 0
            self.record(part, part_id, PartOutcome.NESTED_MESSAGE, size=size)
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if nested >= MAX_NESTED_MESSAGES:
                self.defect(
                    part_id,
                    f"attached messages nested deeper than {MAX_NESTED_MESSAGES}",
                )
            elif isinstance(inner, Message):
                self.walk(
                    inner,
                    f"{part_id}.1",
                    depth=level + 1,
                    nested=nested + 1,
                    body_allowed=False,
                )
            return
        is_attachment = disposition == "attachment" or (
            filename is not None and ctype not in ("text/plain", "text/html")
        )
        if ctype in ("text/plain", "text/html") and not is_attachment and body_allowed:
            self.body(part, part_id, ctype)
            return
        if ctype in ("text/plain", "text/html") and not is_attachment:
            body = self.payload(part, part_id)  # the body of a forwarded message
            self.record(part, part_id, PartOutcome.BODY, size=len(body))
            return
        data = self.payload(part, part_id)
        if ctype == "application/ms-tnef" or (filename or "").lower() == "winmail.dat":
            self.record(part, part_id, PartOutcome.NESTED_MESSAGE, size=len(data))
            self.tnef(data, part_id)
            return
        record = self.record(part, part_id, PartOutcome.DOCUMENT, size=len(data))
        content_id = record["contentId"]
        name = sanitize_filename(filename, f"attachment-{part_id}")
        record["filename"] = name if filename else None
        self.result.attachments.append(
            Attachment(part_id, name, ctype, data, content_id)
        )

    def _filename(self, part: Message, part_id: str) -> str | None:
        try:
            name = part.get_filename()
        except Exception as exc:
            self.defect(part_id, f"unreadable file name: {exc}")
            return None
        return _clean(name) if name else None

    def payload(self, part: Message, part_id: str) -> bytes:
        known = len(part.defects)
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            self.defect(part_id, f"undecodable payload: {exc}")
            return b""
        for defect in part.defects[known:]:  # e.g. broken base64, found while decoding
            self.defect(part_id, type(defect).__name__)
        return data if isinstance(data, bytes) else b""

    def body(self, part: Message, part_id: str, ctype: str) -> None:
        r = self.result
        data = self.payload(part, part_id)
        text, problem = _decode_text(data, part.get_content_charset())
        if problem:
            self.defect(part_id, problem)
        self.record(part, part_id, PartOutcome.BODY, size=len(data))
        if ctype == "text/plain" and not r.text:
            r.text = text
        elif ctype == "text/html" and not r.html:
            r.html = text

    def tnef(self, data: bytes, part_id: str) -> None:
        from tnefparse.tnef import TNEF

        try:
            tnef = TNEF(data, do_checksum=False)
        except Exception as exc:
            self.defect(part_id, f"unreadable TNEF: {exc}")
            return
        for i, item in enumerate(tnef.attachments, 1):
            sub_id = f"{part_id}.t{i}"
            name = sanitize_filename(_tnef_name(item), f"attachment-{sub_id}")
            payload = bytes(item.data or b"")
            self.result.parts.append(
                _part_record(
                    sub_id,
                    "application/octet-stream",
                    "attachment",
                    None,
                    name,
                    None,
                    len(payload),
                    PartOutcome.DOCUMENT,
                )
            )
            self.result.attachments.append(
                Attachment(sub_id, name, "application/octet-stream", payload, None)
            )

    def record(
        self, part: Message, part_id: str, outcome: PartOutcome | None, size: int = 0
    ) -> dict[str, Any]:
        try:
            content_id = part.get("Content-ID")
            content_id = (
                _clean(str(content_id)).strip().strip("<>") if content_id else None
            )
        except Exception:
            content_id = None
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        filename = self._filename(part, part_id)
        entry = _part_record(
            part_id,
            part.get_content_type(),
            part.get_content_disposition(),
            content_id,
            sanitize_filename(filename, f"part-{part_id}") if filename else None,
            charset,
            size,
            outcome,
        )
        self.result.parts.append(entry)
        return entry


def _part_record(
    part_id: str,
    ctype: str,
    disposition: str | None,
    content_id: str | None,
    filename: str | None,
    charset: str | None,
    size: int,
    outcome: PartOutcome | None,
) -> dict[str, Any]:
    return {
        "partId": part_id,
        "contentType": ctype,
        "disposition": disposition,
        "contentId": content_id,
        "filename": filename,
        "charset": charset,
        "size": size,
        "outcome": outcome.value if outcome else None,
        "documentId": None,
    }


def _tnef_name(item: Any) -> str | None:
    """An attachment name inside winmail.dat: Outlook writes it in the message's code
    page (usually Windows-1252), which tnefparse would read as UTF-8."""
    for attribute in (*getattr(item, "mapi_attrs", ()),):
        if getattr(attribute, "name", None) == MAPI_ATTACH_LONG_FILENAME:
            data = attribute.data
            return (
                _clean(data.decode("cp1252", "replace"))
                if isinstance(data, bytes)
                else data
            )
    raw = getattr(item, "_name", b"")
    if isinstance(raw, bytes):
        try:
            return _clean(raw.decode("utf-8").strip("\x00"))
        except UnicodeDecodeError:
            return _clean(raw.decode("cp1252", "replace").strip("\x00"))
    return _clean(str(raw))


AUTO_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})


def _is_automatic(msg: Message, header: Any) -> bool:
    """RFC 3834: never answer automatic mail automatically (mail loops)."""
    auto = header(msg, "Auto-Submitted").lower()
    return (
        (auto not in ("", "no"))
        or header(msg, "Precedence").lower() in AUTO_PRECEDENCE
        or bool(header(msg, "List-Id"))
        or bool(header(msg, "X-Auto-Response-Suppress"))
        or header(msg, "Return-Path").strip() == "<>"
    )


def _first_id(value: str) -> str:
    found = _MSGID.findall(value)
    if found:
        return found[0]
    return value.strip()[:998]


def parse_message(raw: bytes) -> ParsedMessage:
    return _Walker().run(raw)


__all__ = ["Attachment", "EmailMessage", "ParsedMessage", "parse_message"]
