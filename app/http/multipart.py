"""Multipart bodies whose files are spooled to the blob store as they arrive
(app/graphql/spooled_uploads.py); the rest is Starlette's parser as it is."""

from contextlib import aclosing
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from app.core.blobs import blob_store
from app.graphql.spooled_uploads import SpooledUpload


class SpoolingParser(MultiPartParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._spooled: list[SpooledUpload] = []

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        part = self._current_part
        if part.file is not None:
            part.file = SpooledUpload(part.file, blob_store().spool())
            self._spooled.append(part.file)

    async def parse(self) -> FormData:
        try:
            return await super().parse()
        except BaseException:
            for upload in self._spooled:  # their writes awaited, their files freed
                await upload.close()
            raise


class SpoolingRequest(Request):
    """A request whose multipart form is parsed by SpoolingParser, with the limits
    and the refusal of Starlette's own `form()`; `close()` closes its files."""

    async def form(  # type: ignore[override]  # awaited only (Strawberry's adapter)
        self,
        *,
        max_files: int | float = 1000,
        max_fields: int | float = 1000,
        max_part_size: int = 1024 * 1024,
    ) -> FormData:
        content_type, _ = parse_options_header(self.headers.get("content-type"))
        if self._form is not None or content_type != b"multipart/form-data":
            return await super().form(
                max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
            )
        parser = SpoolingParser(
            self.headers,
            self.stream(),
            max_files=max_files,
            max_fields=max_fields,
            max_part_size=max_part_size,
        )
        try:
            async with aclosing(parser.stream):
                self._form = await parser.parse()  # Starlette's: close() closes it
        except MultiPartException as exc:
            raise HTTPException(status_code=400, detail=exc.message) from exc
        return self._form
