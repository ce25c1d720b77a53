"""Files a mutation receives: a GraphQL multipart Upload or a base64 string, read
into bytes with the size checked as they arrive (importEmail, sendEmail)."""

import base64
import binascii
from collections.abc import Callable
from typing import cast

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from app.core.errors import InvalidInput

CHUNK = 1024 * 1024

# Called with the bytes read so far (`whole` False) or the decoded size (True).
SizeCheck = Callable[[int, bool], None]


async def read_upload(upload: Upload, *, check: SizeCheck) -> bytes:
    """The file's bytes, its size checked first: Starlette's multipart parser has
    spooled it and knows its size, so an oversize file is refused quoting that size
    before a byte is read. Without a size, reading stops at the first chunk past the
    limit (the whole size is then unknown: the check says larger than the limit)."""
    # Starlette's multipart parser hands files over as UploadFile.
    file = cast(UploadFile, upload)
    chunks, total = [], 0
    try:
        if file.size is not None:
            check(file.size, True)
        while chunk := await file.read(CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            check(total, False)
    finally:
        await file.close()
    return b"".join(chunks)


def decode_base64(text: str, *, field: str, check: SizeCheck) -> bytes:
    """The bytes of a base64 string; its decoded size is checked before decoding."""
    check(decoded_size(text), True)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} is not valid base64.", field=field) from None


def decoded_size(text: str) -> int:
    """How many bytes valid base64 `text` decodes to (whitespace and padding aside),
    counted without decoding or copying it: the size a refusal quotes."""
    data = len(text) - sum(text.count(c) for c in " \t\r\n")
    tail = text[-8:].rstrip()
    padding = len(tail) - len(tail.rstrip("="))
    return max(0, data * 3 // 4 - padding) if data % 4 == 0 else data * 3 // 4
