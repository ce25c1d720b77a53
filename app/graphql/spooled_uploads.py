"""An uploaded file stored as it arrives: what the multipart parser hands over is
hashed and written to a blob store spool a MB at a time, in a thread, while the
next MB arrives. Starlette's own spool took a thread hop each network read (~64
kB), and importEmail then read the file back, hashed it and wrote it again; now
it stores the spool as it is (the file store: a link). Any other reader (a
sendEmail attachment) reads it as any upload."""

import asyncio
import contextlib

from starlette.datastructures import UploadFile

from app.core.spools import Spool

PIECE = 1024 * 1024  # handed to the writing thread at a time


class SpooledUpload(UploadFile):
    def __init__(self, upload: UploadFile, spool: Spool) -> None:
        # `upload.file` (Starlette's empty spool) stands in until the part is whole.
        super().__init__(
            upload.file, size=0, filename=upload.filename, headers=upload.headers
        )
        self.spool = spool
        self._pieces: list[bytes] = []
        self._held = 0
        self._writing: asyncio.Future[None] | None = None
        self._whole = False  # the part has ended: `file` is the spool's

    async def write(self, data: bytes) -> None:
        self.size = (self.size or 0) + len(data)
        self._pieces.append(data)
        self._held += len(data)
        if self._held >= PIECE:
            await self._written()
            pieces = self._taken()
            self._writing = asyncio.ensure_future(
                asyncio.to_thread(self.spool.write, pieces)
            )

    async def seek(self, offset: int) -> None:
        # Starlette seeks to 0 once the part is whole: the rest is written, and
        # the file read from then on is the spool's.
        if self._whole:
            await asyncio.to_thread(self.file.seek, offset)
            return
        await self._written()
        await asyncio.to_thread(self._finish, self._taken(), offset)

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # a write that failed: freed all the same
            await self._written()
        await asyncio.to_thread(self.spool.close)
        await super().close()

    def _taken(self) -> list[bytes]:
        pieces, self._pieces, self._held = self._pieces, [], 0
        return pieces

    async def _written(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing

    def _finish(self, pieces: list[bytes], offset: int) -> None:
        self.spool.write(pieces)
        self.file.close()  # Starlette's spool, never written
        self.file = self.spool.whole.file
        self._whole = True
        self.file.flush()
        self.file.seek(offset)
