"""Raw RFC 822 bytes -> ParsedMessage (pure; runs in a separate process, see
parse_runner). Tolerant: what it repairs or cannot read goes to `defects`, never
an exception. A part the standard parser or its policy fails on is kept as raw
text; a message it fails on is read from the raw bytes (fallback.py).

This module walks the MIME tree; headers.py reads the headers, filenames.py names
the files, tnef.py opens winmail.dat, parsed.py holds what they produce."""

import re
from collections.abc import Callable, Iterator
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser
from typing import Any

from app.documents.sniffing import sanitize_filename
from app.intake.content import read_content
from app.intake.decoding import clean_text, decode_text
from app.intake.fallback import read_raw
from app.intake.filenames import part_filename
from app.intake.headers import read_headers
from app.intake.mime_policy import PARSE_POLICY
from app.intake.parsed import Attachment, ParsedMessage, part_record
from app.intake.parts import REPORT_TYPES, PartOutcome
from app.intake.rawmail import repaired_chunks
from app.intake.reports import is_delivery_report, read_delivery_report
from app.intake.tnef import read_tnef

MAX_DEPTH = 32  # multipart nesting levels
MAX_PARTS = 500
MAX_NESTED_MESSAGES = 3  # attached message/rfc822 levels whose attachments we take
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
# What the parser is fed at a time: fed whole, it holds the message in a StringIO
# (4 bytes a character) and all its lines at once, ~8x the message at its peak.
FEED_BYTES = 64 * 1024

# The message's bytes from the start, a chunk at a time; a new iterator each call.
Reader = Callable[[], Iterator[bytes]]


class _Walker:
    """One message's walk, depth first, collecting into `result`; at most 200
    defects are kept (a broken message can have one per part)."""

    def __init__(self) -> None:
        self.result = ParsedMessage()
        self._repair_noted = False

    def defect(self, where: str, what: object) -> None:
        if len(self.result.defects) < 200:  # NUL-free: stored as JSON
            self.result.defects.append(clean_text(f"{where}: {what}"))

    def run(self, read: Reader) -> ParsedMessage:
        try:
            self.structured(read)
        except Exception as exc:  # any class the parser or its policy raises
            # What was read so far may be half of it: start again from the bytes.
            self.result = ParsedMessage(defects=self.result.defects)
            self.defect(
                "message",
                f"unreadable by the MIME parser ({type(exc).__name__}: {exc}); "
                "headers and text read from the raw bytes",
            )
            read_raw(b"".join(self.chunks(read)), self.result, self.defect)
        self.result.html_cids = {
            c.strip("<>").lower() for c in _CID.findall(self.result.html)
        }
        return self.result

    def chunks(self, read: Reader) -> Iterator[bytes]:
        """The message's chunks, obsolete header syntax repaired (noted once)."""
        return repaired_chunks(read(), self._note_repair)

    def _note_repair(self) -> None:
        if not self._repair_noted:
            self._repair_noted = True
            self.defect("message", "obsolete header syntax (space before a colon)")

    def structured(self, read: Reader) -> None:
        try:
            parser = BytesFeedParser(policy=PARSE_POLICY)
            for chunk in self.chunks(read):
                parser.feed(chunk)
            msg = parser.close()
        except RecursionError:
            # The standard parser recurses once per multipart level.
            raw = b"".join(self.chunks(read))
            msg = BytesParser(policy=PARSE_POLICY).parsebytes(raw, headersonly=True)
            self.defect(
                "message", "MIME structure nested too deeply; only headers read"
            )
            read_headers(msg, self.result, self.defect)
            return
        read_headers(msg, self.result, self.defect)
        self.walk(msg, "1", depth=0, nested=0, body_allowed=True)

    def walk(
        self,
        root: Message,
        root_id: str,
        *,
        depth: int,
        nested: int,
        body_allowed: bool,
    ) -> None:
        # (part, id, level, whether an enclosing alternative has a plain text)
        stack: list[tuple[Message, str, int, bool]] = [(root, root_id, depth, False)]
        while stack:
            part, part_id, level, has_plain = stack.pop()
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
                # A DSN of its own (not one inside an attached message).
                if body_allowed and self.result.report is None and _is_dsn(part):
                    self.result.report = read_delivery_report(
                        part, part_id, self.defect
                    )
                children = part.get_payload()
                if isinstance(children, list):
                    if part.get_content_subtype() == "alternative":
                        has_plain = has_plain or any(
                            isinstance(c, Message) and _content_type(c) == "text/plain"
                            for c in children
                        )
                    for i, child in reversed(list(enumerate(children, 1))):
                        stack.append((child, f"{part_id}.{i}", level + 1, has_plain))
                continue
            parts, attachments = len(self.result.parts), len(self.result.attachments)
            try:
                self.leaf(part, part_id, level, nested, body_allowed, has_plain)
            except Exception as exc:  # the policy failed on this part: keep its text
                del self.result.parts[parts:], self.result.attachments[attachments:]
                self.defect(
                    part_id, f"unreadable part ({type(exc).__name__}); kept as text"
                )
                self.raw_leaf(part, part_id, body_allowed)

    def leaf(
        self,
        part: Message,
        part_id: str,
        level: int,
        nested: int,
        body_allowed: bool,
        has_plain: bool,
    ) -> None:
        ctype = part.get_content_type()
        disposition = self._disposition(part, part_id)
        filename = self._filename(part, part_id)
        if ctype in REPORT_TYPES:  # machine-readable reports: recorded, not files
            self.record(part, part_id, PartOutcome.REPORT, size=_raw_size(part))
            return
        if part.get_content_maintype() == "multipart":
            # Its boundary never appears: RFC 2046 reads such a body as plain text.
            self.body(part, part_id, "text/plain", body_allowed, has_plain)
            return
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            size = self._size(inner, part_id) if isinstance(inner, Message) else 0
            self.record(part, part_id, PartOutcome.NESTED_MESSAGE, size=size)
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
        if ctype in ("text/plain", "text/html") and not is_attachment:
            self.body(part, part_id, ctype, body_allowed, has_plain)
            return
        data = self.payload(part, part_id)
        if not data:  # nothing to decode: never a zero-byte document
            self.record(part, part_id, PartOutcome.EMPTY)
            return
        if ctype == "application/ms-tnef" or (filename or "").lower() == "winmail.dat":
            self.record(part, part_id, PartOutcome.NESTED_MESSAGE, size=len(data))
            read_tnef(data, part_id, self.result, self.defect)
            return
        record = self.record(part, part_id, PartOutcome.DOCUMENT, size=len(data))
        content_id = record["contentId"]
        name = sanitize_filename(filename, f"attachment-{part_id}")
        record["filename"] = name if filename else None
        self.result.attachments.append(
            Attachment(part_id, name, ctype, data, content_id)
        )

    def _disposition(self, part: Message, part_id: str) -> str | None:
        try:
            return part.get_content_disposition()
        except Exception as exc:  # the policy's parser fails on some damage
            self.defect(part_id, f"unreadable Content-Disposition: {exc}")
            return None

    def _size(self, message: Message, part_id: str) -> int:
        """An attached message's size, as the generator writes it back."""
        try:
            return len(message.as_bytes())
        except Exception as exc:  # a header it cannot fold again (8-bit bytes...)
            self.defect(part_id, f"attached message not measurable: {exc}")
            return 0

    def _filename(self, part: Message, part_id: str) -> str | None:
        try:
            return part_filename(part)
        except Exception as exc:
            self.defect(part_id, f"unreadable file name: {exc}")
            return None

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

    def body(
        self,
        part: Message,
        part_id: str,
        ctype: str,
        body_allowed: bool,
        has_plain: bool,
    ) -> None:
        """Inline text: every plain part joins the text in order (list footers,
        later parts); HTML does too unless a plain alternative stands for it. The
        body of an attached message is only recorded."""
        data = self.payload(part, part_id)
        self.record(part, part_id, PartOutcome.BODY, size=len(data))
        if not body_allowed:
            return
        text, problem = decode_text(data, self._charset(part))
        if problem:
            self.defect(part_id, problem)
        self.add_text(ctype, text, has_plain)

    def add_text(self, ctype: str, text: str, has_plain: bool) -> None:
        r = self.result
        if ctype == "text/plain":
            r.text = f"{r.text.rstrip()}\n\n{text}" if r.text.strip() else text
            r.inline_texts.append((ctype, text))
            return
        if not r.html:
            r.html = text
        if not has_plain:
            r.inline_texts.append((ctype, text))

    def raw_leaf(self, part: Message, part_id: str, body_allowed: bool) -> None:
        """A part the policy cannot read, as the raw text it came as."""
        try:
            payload = part.get_payload()
        except Exception:
            payload = ""
        text = clean_text(payload) if isinstance(payload, str) else ""
        self.result.parts.append(
            part_record(
                part_id,
                "text/plain",
                None,
                None,
                None,
                None,
                len(text),
                PartOutcome.BODY,
            )
        )
        declared = " ".join(
            str(v).lower() for k, v in part.raw_items() if k.lower() == "content-type"
        )
        textual = not declared.strip() or declared.lstrip().startswith("text/")
        if body_allowed and textual and text.strip():  # not a base64 file as text
            self.add_text("text/plain", text, False)

    def _charset(self, part: Message) -> str | None:
        try:
            return part.get_content_charset()
        except Exception:
            return None

    def record(
        self, part: Message, part_id: str, outcome: PartOutcome | None, size: int = 0
    ) -> dict[str, Any]:
        try:
            content_id = part.get("Content-ID")
            content_id = (
                clean_text(str(content_id)).strip().strip("<>") if content_id else None
            )
        except Exception:
            content_id = None
        charset = self._charset(part)
        filename = self._filename(part, part_id)
        entry = part_record(
            part_id,
            part.get_content_type(),
            self._disposition(part, part_id),
            content_id,
            sanitize_filename(filename, f"part-{part_id}") if filename else None,
            charset,
            size,
            outcome,
        )
        self.result.parts.append(entry)
        return entry


def _is_dsn(part: Message) -> bool:
    try:
        return is_delivery_report(part)
    except Exception:
        return False


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return ""


def _raw_size(part: Message) -> int:
    """Characters of a part as it came (a report's payload is parsed into header
    blocks by the standard parser, which no decode turns back into bytes)."""
    try:
        payload = part.get_payload()
        if isinstance(payload, list):
            return sum(len(str(p)) for p in payload)
        return len(payload) if isinstance(payload, str) else 0
    except Exception:
        return 0


def parse_message(raw: bytes) -> ParsedMessage:
    return parse_chunks(lambda: _slices(raw))


def parse_chunks(read: Reader) -> ParsedMessage:
    """The message `read` gives (a file read a chunk at a time: parse_stored)."""
    return read_content(_Walker().run(read))


def _slices(raw: bytes) -> Iterator[bytes]:
    view = memoryview(raw)
    for start in range(0, len(raw), FEED_BYTES):
        yield bytes(view[start : start + FEED_BYTES])


__all__ = ["MAX_PARTS", "Attachment", "ParsedMessage", "parse_chunks", "parse_message"]
