"""Bytes of a message to valid text: what senders actually send is often not what
they declare, so every decoder here falls back instead of failing."""

import codecs
from email.header import decode_header, make_header


def _cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: the bytes UTF-8 cannot read, read as Windows-1252, so one stray
    byte does not turn the UTF-8 around it (a Cyrillic name) into mojibake."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bytes(bad).decode("cp1252", "replace"), exc.end


codecs.register_error("mailroom-cp1252", _cp1252_bytes)


def clean_text(text: str) -> str:
    """Valid Unicode without NULs. Raw 8-bit header bytes arrive as surrogates: they
    are read as UTF-8 where they are UTF-8, the rest as Windows-1252 (what senders
    that skip RFC 2047 use in practice); each value on its own."""
    data = text.encode("utf-8", "surrogateescape")
    return data.decode("utf-8", "mailroom-cp1252").replace("\x00", "")


def decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Body text and a defect, if any: declared charset, else UTF-8, else cp1252."""
    if charset is None or charset in ("us-ascii", "ascii"):
        return data.decode("utf-8", "mailroom-cp1252").replace("\x00", ""), None
    try:
        return data.decode(charset, "replace").replace("\x00", ""), None
    except (LookupError, ValueError, TypeError):  # unknown, or a NUL in its name
        text, _ = decode_text(data, None)
        shown = charset.replace("\x00", "\\0")[:60]
        return text, f"unknown charset {shown!r}; read as UTF-8 or Windows-1252"


def decode_words(value: str) -> str:
    """RFC 2047 encoded words of a raw value decoded (with the compat32 helpers, not
    the header policy: this is what the fallbacks use when the policy failed)."""
    text = clean_text(value)
    if "=?" not in text:
        return text
    try:
        return clean_text(str(make_header(decode_header(text))))
    except Exception:  # a malformed encoded word: shown as it came
        return text
