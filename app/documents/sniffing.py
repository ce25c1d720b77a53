"""File names and content types of attachments, incoming and outgoing (pure)."""

import io
import mimetypes
import os
import re
import unicodedata
import zipfile

import puremagic

from app.core.limits import limits

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sanitize_filename(name: str | None, fallback: str) -> str:
    """Last path component, no control characters or separators, at most 255 bytes."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _CONTROL.sub("", text).strip().strip(".") or ""
    if not text:
        return fallback
    stem, ext = os.path.splitext(text)
    budget = limits().file_name_bytes - len(ext.encode())
    if budget < 1:
        stem, ext, budget = text, "", limits().file_name_bytes
    stem = stem.encode()[:budget].decode("utf-8", "ignore")
    return stem + ext


def sniff_mime_type(data: bytes, *, declared: str, filename: str) -> str:
    """The type the bytes show; the header or extension only break ties between
    candidates, or decide when the bytes have no signature."""
    by_name = mimetypes.guess_type(filename)[0]
    hints = [
        t for t in (declared.lower(), by_name) if t and t != "application/octet-stream"
    ]
    try:
        candidates = [
            m.mime_type for m in puremagic.magic_string(data[:8192]) if m.mime_type
        ]
    except (puremagic.PureError, ValueError):
        candidates = []
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    for hint in hints:
        if hint in candidates:
            return hint
    if candidates:
        return candidates[0]
    if _looks_textual(data):
        textual = [
            h for h in hints if h.startswith("text/") or h.endswith(("json", "xml"))
        ]
        return textual[0] if textual else "text/plain"
    return "application/octet-stream"


def _looks_textual(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4  # cut inside a multi-byte character
    return True


def matches_accepted(mime_type: str, accepted: list[str]) -> bool:
    """Inbox filter: empty = all; entries are exact types or "major/*"."""
    if not accepted:
        return True
    major = mime_type.split("/", 1)[0]
    return any(a == mime_type or a == f"{major}/*" for a in accepted)


_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _zip_type(data: bytes) -> str:
    """Office documents are ZIPs: tell them apart by their entries, not the name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:  # OpenDocument states its own type
                declared = archive.read("mimetype")[:100].decode("ascii", "replace")
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared.strip()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return "application/zip"
    if "[Content_Types].xml" in names:
        for prefix, mime in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return mime
    return "application/zip"
