"""Files a mutation receives: a GraphQL multipart Upload or a base64 string, read
a chunk at a time with the size checked as they arrive: into bytes (sendEmail), or
as `IncomingFile` chunks that go straight to the blob store (importEmail)."""

import binascii
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import cast

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from app.core.base64_strict import b64decode_strict
from app.core.errors import InvalidInput
from app.core.spools import Spool
from app.graphql.spooled_uploads import SpooledUpload

CHUNK = 1024 * 1024
# Characters of base64 decoded at a time (3 MB of bytes, ~0.3 ms on the event
# loop); a multiple of 4, so each piece but the last is whole quads.
BASE64_CHUNK = 4 * 1024 * 1024

# Called with the bytes read so far (`whole` False) or the decoded size (True).
SizeCheck = Callable[[int, bool], None]


@dataclass
class IncomingFile:
    """A received file whose size has been checked where it is known up front (an
    upload the multipart parser spooled, a base64 string); `chunks` checks it as
    they come. `spool`: an upload already written to a blob store spool and
    hashed (SpooledUpload), which the store takes as it is. `aclose` frees it
    (the spooled upload) whether or not it was read."""

    chunks: AsyncGenerator[bytes, None]
    upload: UploadFile | None = None
    spool: Spool | None = None

    async def aclose(self) -> None:
        await self.chunks.aclose()
        if self.upload is not None:
            await self.upload.close()


async def incoming_upload(upload: Upload, *, check: SizeCheck) -> IncomingFile:
    """The file, its size checked first: Starlette's multipart parser has spooled
    it and knows its size, so an oversize file is refused quoting that size before
    a byte is read. Without a size, reading stops at the first chunk past the limit
    (the whole size is then unknown: the check says larger than the limit)."""
    # Starlette's multipart parser hands files over as UploadFile.
    file = cast(UploadFile, upload)
    try:
        if file.size is not None:
            check(file.size, True)
    except BaseException:
        await file.close()
        raise
    spool = file.spool if isinstance(file, SpooledUpload) else None
    return IncomingFile(_upload_chunks(file, check), file, spool)


async def _upload_chunks(
    file: UploadFile, check: SizeCheck
) -> AsyncGenerator[bytes, None]:
    total = 0
    while chunk := await file.read(CHUNK):
        total += len(chunk)
        check(total, False)
        yield chunk


def incoming_base64(text: str, *, field: str, check: SizeCheck) -> IncomingFile:
    """The bytes of a base64 string, decoded a piece at a time as the store
    takes them (never whole in memory); its decoded size is checked
    before decoding: first an upper bound (white space and padding counted in),
    exactly only when that might be over the limit (counting is ~4 passes over
    33 MB of text for a 25 MB message)."""
    try:
        check(len(text) * 3 // 4, True)
    except InvalidInput:
        check(decoded_size(text), True)
    return IncomingFile(_base64_chunks(text, field))


async def _base64_chunks(text: str, field: str) -> AsyncGenerator[bytes, None]:
    """What base64.b64decode(text, validate=True) gives, in pieces: only the last
    piece may hold padding, so no piece decodes what the whole would refuse."""
    for start in range(0, len(text), BASE64_CHUNK):
        piece = text[start : start + BASE64_CHUNK]
        try:
            if start + BASE64_CHUNK < len(text) and "=" in piece:
                raise binascii.Error("padding before the end")
            data = b64decode_strict(piece)
        except (binascii.Error, ValueError):
            raise _not_base64(field) from None
        yield data


async def read_upload(upload: Upload, *, check: SizeCheck) -> bytes:
    """The file's bytes (see incoming_upload); the file is closed after."""
    return await _read(await incoming_upload(upload, check=check))


async def _read(incoming: IncomingFile) -> bytes:
    try:
        return b"".join([chunk async for chunk in incoming.chunks])
    finally:
        await incoming.aclose()


def decode_base64(text: str, *, field: str, check: SizeCheck) -> bytes:
    """The bytes of a base64 string at once (a sendEmail attachment); its decoded
    size is checked before decoding."""
    check(decoded_size(text), True)
    try:
        return b64decode_strict(text)
    except (binascii.Error, ValueError):
        raise _not_base64(field) from None


def _not_base64(field: str) -> InvalidInput:
    return InvalidInput(f"{field} is not valid base64.", field=field)


def decoded_size(text: str) -> int:
    """How many bytes valid base64 `text` decodes to (whitespace and padding aside),
    counted without decoding or copying it: the size a refusal quotes."""
    data = len(text) - sum(text.count(c) for c in " \t\r\n")
    tail = text[-8:].rstrip()
    padding = len(tail) - len(tail.rstrip("="))
    return max(0, data * 3 // 4 - padding) if data % 4 == 0 else data * 3 // 4
