"""Blob store for raw messages and document bytes, content-addressed: on disk
(`file://DIR`) or in any S3-compatible bucket (`s3://BUCKET/PREFIX`).

Keys are the sha256 of the content, so storing the same bytes twice costs nothing
and a retried job can write again safely. Both stores lay keys out the same way
(`ab/cd/abcd…`), so a blob directory copied into a bucket prefix is a store.
Every call is async and never blocks the event loop: the file store runs its
system calls in a thread, the S3 store speaks HTTP through aiobotocore.
"""

import asyncio
import errno
import hashlib
import os
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from app.core.atomic_files import write_whole
from app.core.spools import Spool
from app.settings import get_settings

CHUNK_BYTES = 256 * 1024  # what a download reads and sends at a time
SMALL_BYTES = 1024 * 1024  # put_chunks: up to this much is written at once


@dataclass
class OpenBlob:
    """A blob being read: its size, and its bytes a chunk at a time. `chunks` frees
    what it holds (a file, an HTTP connection) once consumed or closed."""

    size: int
    chunks: AsyncIterator[bytes]


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str: ...

    async def put_chunks(self, chunks: AsyncIterable[bytes]) -> str:
        """Store the bytes of `chunks` as they come; nothing is stored when the
        iteration raises (a size check, a decoding error)."""
        ...

    def spool(self) -> Spool:
        """A file to write a blob into as its bytes arrive (an upload being
        parsed); `put_spool` stores it, closing it unstored leaves nothing."""
        ...

    async def put_spool(self, spool: Spool) -> str:
        """Store what was written to `spool` (whole); the caller still closes it."""
        ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...

    async def open(self, key: str) -> OpenBlob:
        """FileNotFoundError when there is no such blob."""
        ...


def _relative(key: str) -> str:
    if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError("invalid blob key")
    return f"{key[:2]}/{key[2:4]}/{key}"


def missing(key: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, "No such blob", key)


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _relative(key)

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self.write, data)

    def write(self, data: bytes) -> str:
        """put, blocking (the parse process writes attachments this way)."""
        key = hashlib.sha256(data).hexdigest()
        path = self.path(key)
        if not path.exists():
            write_whole(path, data, replace=False)
        return key

    async def put_chunks(self, chunks: AsyncIterable[bytes]) -> str:
        # A small message is one write (one thread hop, as put). A larger one is
        # hashed and written a chunk at a time, in a thread, to an unnamed file in
        # the store: its name (the hash) is known only at the end.
        iterator = aiter(chunks)
        head: list[bytes] = []
        async for chunk in iterator:
            head.append(chunk)
            if sum(map(len, head)) >= SMALL_BYTES:
                break
        else:
            return await self.put(b"".join(head))
        spool = self.spool()
        try:
            await asyncio.to_thread(spool.write, head)
            async for chunk in iterator:
                await asyncio.to_thread(spool.write, [chunk])
            return await self.put_spool(spool)
        finally:
            spool.close()

    def spool(self) -> Spool:
        return Spool(self.root)  # the same file system: stored by a link

    async def put_spool(self, spool: Spool) -> str:
        key = spool.key
        await asyncio.to_thread(spool.whole.name, self.path(key), replace=False)
        return key

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def open(self, key: str) -> OpenBlob:
        f = await asyncio.to_thread(open, self.path(key), "rb")
        try:
            size = os.fstat(f.fileno()).st_size
        except BaseException:
            f.close()
            raise
        return OpenBlob(size, _file_chunks(f))


async def _file_chunks(f: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(f.read, CHUNK_BYTES):
            yield chunk
    finally:
        f.close()


def blob_store() -> BlobStore:
    """The store BLOB_STORE_URL names (the file store under VAR_DIR by default)."""
    url = urlsplit(get_settings().effective_blob_store_url)
    if url.scheme == "file":
        return FileBlobStore(Path(url.path))
    if url.scheme == "s3":
        from app.core.s3_blobs import S3BlobStore  # botocore loads only when used

        return S3BlobStore(bucket=url.netloc, prefix=url.path.strip("/"))
    raise ValueError(f"Unsupported BLOB_STORE_URL scheme: {url.scheme}")
