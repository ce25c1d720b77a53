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
    """Stop at the first chunk past the size limit, so an oversize upload fails early
    (the whole size is then unknown: the check says larger than the limit)."""
    # Starlette's multipart parser hands files over as UploadFile.
    file = cast(UploadFile, upload)
    chunks, total = [], 0
    try:
        while chunk := await file.read(CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            check(total, False)
    finally:
        await file.close()
    return b"".join(chunks)


def decode_base64(text: str, *, field: str, check: SizeCheck) -> bytes:
    """The bytes of a base64 string; its decoded size is checked before decoding."""
    check(len(text) * 3 // 4, True)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} is not valid base64.", field=field) from None
