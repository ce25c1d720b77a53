"""Bytes of a message to valid text: what senders actually send is often not what
they declare, so every decoder here falls back instead of failing."""


def clean_text(text: str) -> str:
    """Valid Unicode without NULs. Raw 8-bit header bytes arrive as surrogates: they
    are read as UTF-8 when they are UTF-8, else as Windows-1252 (what senders that
    skip RFC 2047 use in practice)."""
    data = text.encode("utf-8", "surrogateescape")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", "replace")
    return decoded.replace("\x00", "")


def decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Body text and a defect, if any: declared charset, else UTF-8, else cp1252."""
    if charset is None or charset in ("us-ascii", "ascii"):
        try:
            return data.decode("utf-8").replace("\x00", ""), None
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace").replace("\x00", ""), None
    try:
        return data.decode(charset, "replace").replace("\x00", ""), None
    except LookupError:
        text, _ = decode_text(data, None)
        return text, f"unknown charset {charset!r}; read as UTF-8 or Windows-1252"
