"""New files sent with an email (sendEmail `attachments`): checked like incoming
attachments are (names sanitized, types sniffed from the bytes, no empty files),
stored as Documents of the outgoing email once everything else is valid."""

import re
from dataclasses import dataclass

from app.core.errors import ErrorCode, InvalidInput
from app.core.limits import limits
from app.documents.sniffing import sanitize_filename, sniff_mime_type

FIELD = "attachments"
_TOKEN = r"[a-z0-9][\w!#$&^.+-]{0,126}"
_MIME_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}", re.ASCII)


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes


def check_size(size: int, whole: bool = True) -> None:
    """One file's size (or what was read of it so far) against the message limit;
    the sum with the bodies is checked when the email is drafted."""
    limit = limits().max_message_bytes
    if size > limit:
        raise InvalidInput(
            f"An attachment is {size} bytes; the message limit is {limit}."
            if whole
            else f"An attachment is larger than the message limit of {limit} bytes.",
            field=FIELD,
            code=ErrorCode.PAYLOAD_TOO_LARGE,
        )


def clean_attachments(items: list[NewAttachment]) -> list[NewAttachment]:
    """Each file as it will be stored and sent: a safe name, the sniffed type."""
    cleaned = []
    for number, item in enumerate(items, 1):
        if not item.data:
            raise InvalidInput(f"Attachment {number} is empty.", field=FIELD)
        declared = item.content_type.strip().lower() or "application/octet-stream"
        if not _MIME_TYPE.fullmatch(declared):
            raise InvalidInput(
                f"Attachment {number}: invalid contentType {item.content_type!r}.",
                field=FIELD,
            )
        name = sanitize_filename(item.filename, fallback=f"attachment-{number}")
        mime = sniff_mime_type(item.data, declared=declared, filename=name)
        cleaned.append(NewAttachment(name, mime, item.data))
    return cleaned
