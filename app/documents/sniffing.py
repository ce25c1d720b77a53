"""File names and content types of attachments, incoming and outgoing (pure)."""

import io
import mimetypes
import os
import re
import unicodedata
import zipfile
import zlib

import puremagic

from app.core.limits import limits

# Control characters, format characters (bidi overrides such as U+202E, zero-width
# U+200B/U+200D, U+FEFF) and line/paragraph separators: invisible or misleading in
# a name ("invoice\u202efdp.exe" shows as "invoiceexe.pdf").
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
# Names Windows maps to devices, with any extension ("CON.txt", "lpt1.tar.gz").
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", *"¹²³"]}
)


def sanitize_filename(name: str | None, fallback: str) -> str:
    """Last path component, readable and safe to save anywhere: no control or format
    characters, no separators, not a Windows device name, at most 255 bytes."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _EDGES.sub("", text)  # Windows drops trailing dots and spaces itself
    if not text:
        return fallback
    if text.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        text = "_" + text
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
    if data.startswith(b"\x30"):
        der = [_DER_TYPES[h] for h in hints if h in _DER_TYPES]
        if der:
            return der[0]
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


# DER (an ASN.1 SEQUENCE) holds signatures, certificates and catalogs alike; the
# bytes cannot tell them apart (puremagic calls them all vnd.ms-pki.seccat from
# their first two bytes), so the declared type or the name decides.
_DER_TYPES = {
    "application/pkcs7-signature": "application/pkcs7-signature",
    "application/x-pkcs7-signature": "application/pkcs7-signature",
    "application/pkcs7-mime": "application/pkcs7-mime",
    "application/x-pkcs7-mime": "application/pkcs7-mime",
    "application/pkix-cert": "application/pkix-cert",
    "application/x-x509-ca-cert": "application/x-x509-ca-cert",
    "application/pkix-crl": "application/pkix-crl",
    "application/pkcs10": "application/pkcs10",
    "application/vnd.ms-pki.seccat": "application/vnd.ms-pki.seccat",
}


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


# What a damaged, encrypted or exotic archive raises while it is opened or read.
_UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,  # an encrypted entry
    NotImplementedError,  # a compression method zipfile lacks
)


def _zip_type(data: bytes) -> str:
    """Office documents are ZIPs: tell them apart by their entries, not the name.
    An entry is only peeked at (a 1 MB archive can inflate one to gigabytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:  # OpenDocument states its own type
                with archive.open("mimetype") as entry:
                    head = entry.read(limits().archive_entry_peek_bytes)
                declared = head[:100].decode("ascii", "replace")
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared.strip()
    except _UNREADABLE_ZIP:
        return "application/zip"
    if "[Content_Types].xml" in names:
        for prefix, mime in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return mime
    return "application/zip"
