"""What the parse process keeps of a message's attachments, and where: it reads the
stored message itself and writes the attachments an import keeps to the file blob
store, so only their keys, sizes and hashes go back to the worker.

The inbox's filters come along (`Keep`): a filtered-out attachment, or one of a
message the job will refuse (no headers, a sender the inbox does not allow), is
never written. The S3 store has no `blob_root`: the process needs no credentials,
gets the message's bytes and hands the kept attachments' bytes back for the
worker to store."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from app.core.blobs import FileBlobStore
from app.documents.sniffing import matches_accepted
from app.intake.parsed import Attachment, ParsedMessage
from app.intake.parsing import FEED_BYTES, parse_chunks, parse_message
from app.intake.parts import PartOutcome

# The outcomes whose bytes are stored: a document, an inline image the body shows.
STORED = frozenset({PartOutcome.DOCUMENT, PartOutcome.FILTERED_INLINE})


@dataclass(frozen=True)
class Keep:
    """An inbox's filters, and the file store's directory (None: not a file store)."""

    min_image_bytes: int = 0
    accepted_mime_types: list[str] = field(default_factory=list)
    allowed_senders: list[str] = field(default_factory=list)
    blob_root: str | None = None


def sender_allowed(address: str, patterns: list[str]) -> bool:
    return not patterns or any(fnmatchcase(address, p) for p in patterns)


def outcome(attachment: Attachment, keep: Keep) -> PartOutcome:
    """The attachment's outcome in the inbox (its type sniffed from its bytes)."""
    mime = attachment.mime_type
    if attachment.inline:
        return PartOutcome.FILTERED_INLINE
    if mime.startswith("image/") and attachment.size < keep.min_image_bytes:
        return PartOutcome.FILTERED_SMALL_IMAGE
    if not matches_accepted(mime, keep.accepted_mime_types):
        return PartOutcome.FILTERED_TYPE
    return PartOutcome.DOCUMENT


def keep_attachments(result: ParsedMessage, keep: Keep) -> None:
    """Each attachment's size, hash and outcome; the kept ones written to the file
    store (their bytes dropped once written), the others' bytes dropped."""
    store = FileBlobStore(Path(keep.blob_root)) if keep.blob_root else None
    wanted = bool(result.headers) and sender_allowed(
        result.from_address, keep.allowed_senders
    )
    for attachment in result.attachments:
        data = attachment.data
        attachment.size = len(data)
        attachment.sha256 = hashlib.sha256(data).hexdigest()
        attachment.outcome = outcome(attachment, keep)
        if not (wanted and attachment.outcome in STORED):
            attachment.data = b""  # never stored: it need not go back
        elif store is not None:
            attachment.blob_key = store.write(data)
            attachment.data = b""


def parse_stored(source: str | bytes, keep: Keep) -> ParsedMessage:
    """In the parse process: the message at a file path, read a chunk at a time
    (or its bytes), parsed, its attachments kept; what goes back holds no
    attachment the store has."""
    if isinstance(source, str):
        path = Path(source)
        size = path.stat().st_size  # FileNotFoundError: the job says it is missing
        result = parse_chunks(lambda: _file_chunks(path))
    else:
        size, result = len(source), parse_message(source)
    result.raw_size = size
    keep_attachments(result, keep)
    return result


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(FEED_BYTES):
            yield chunk
