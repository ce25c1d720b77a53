"""A message's header block read by hand from the raw bytes: for obsolete syntax
the standard parser does not accept, and for the fallback path when the parser or
its policy fails (nothing here calls them)."""

import re
from collections.abc import Callable, Iterable, Iterator

from app.intake.decoding import clean_text

_HEAD_END = re.compile(rb"\r?\n\r?\n")
# RFC 5322 4.5.3 (obs-optional): white space between a field name and its colon.
_OBS_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)
_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:(.*)$")


def split_raw(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body (empty when there is no blank line)."""
    match = _HEAD_END.search(raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def repair_obsolete(raw: bytes) -> tuple[bytes, bool]:
    """`Subject : x` written as `Subject: x` in the top-level header block, so the
    standard parser keeps it a header (it ends the headers there otherwise)."""
    head, _ = split_raw(raw)
    fixed = _OBS_NAME.sub(rb"\1:", head)
    if fixed == head:
        return raw, False
    return fixed + raw[len(head) :], True


def repaired_chunks(
    chunks: Iterable[bytes], repaired: Callable[[], None]
) -> Iterator[bytes]:
    """The chunks of a message, repair_obsolete applied to its header block (read
    whole first, however many chunks it spans); `repaired()` when it changed."""
    pending = iter(chunks)
    head = b""
    for chunk in pending:
        searched = max(0, len(head) - 3)
        head += chunk
        if _HEAD_END.search(head, searched):
            break
    fixed, changed = repair_obsolete(head)
    if changed:
        repaired()
    yield fixed
    yield from pending


def raw_headers(head: bytes) -> list[tuple[str, str]]:
    """(name, value) of every field, unfolded, each value decoded on its own;
    lines that are no field are skipped."""
    fields: list[tuple[str, str]] = []
    for line in re.split(r"\r?\n", head.decode("ascii", "surrogateescape")):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _FIELD.match(line)
        if match:
            fields.append((match.group(1), match.group(2).strip()))
    return [(clean_text(n), clean_text(v)) for n, v in fields]
