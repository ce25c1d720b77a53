"""The blob store in an S3-compatible bucket (`BLOB_STORE_URL=s3://BUCKET/PREFIX`).

Endpoint, credentials and region come from botocore's usual sources
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION,
~/.aws, an instance role). A client is opened per operation, so the store needs no
lifespan of its own and works the same in the API, the worker and the CLI; a
download holds its client until its body has been streamed.

Writes are one PutObject: a blob is at most MAX_MESSAGE_BYTES (25 MB by default)
and already in memory, far below the 5 GB a single put may carry. Reads of a
download stream the object's body in chunks instead of buffering it.
"""

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import ClientError

from app.core.blobs import CHUNK_BYTES, OpenBlob, _relative, missing
from app.core.spools import Spool

_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
# Path-style requests (https://endpoint/bucket/key) work with every S3-compatible
# server (MinIO, Ceph, moto), which virtual-hosted names often do not resolve for.
_CONFIG = AioConfig(s3={"addressing_style": "path"}, retries={"mode": "standard"})


@lru_cache(maxsize=1)
def _session() -> AioSession:
    # One per process: it caches the service model and the credential chain.
    return get_session()


class S3BlobStore:
    def __init__(self, *, bucket: str, prefix: str = "") -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""

    def object_key(self, key: str) -> str:
        return self.prefix + _relative(key)

    def _client(self) -> Any:
        return _session().create_client("s3", config=_CONFIG)

    async def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        async with self._client() as client:
            if not await _head(client, self.bucket, self.object_key(key)):
                await client.put_object(
                    Bucket=self.bucket, Key=self.object_key(key), Body=data
                )
        return key

    async def put_chunks(self, chunks: AsyncIterable[bytes]) -> str:
        # One PutObject of the joined bytes (see the module's docstring).
        return await self.put(b"".join([chunk async for chunk in chunks]))

    def spool(self) -> Spool:
        return Spool(Path(tempfile.gettempdir()))

    async def put_spool(self, spool: Spool) -> str:
        return await self.put(await asyncio.to_thread(spool.read_all))

    async def get(self, key: str) -> bytes:
        async with self._client() as client:
            response = await _get_object(client, self.bucket, self.object_key(key))
            async with response["Body"] as body:
                data: bytes = await body.read()
                return data

    async def exists(self, key: str) -> bool:
        async with self._client() as client:
            return await _head(client, self.bucket, self.object_key(key))

    async def reach(self) -> None:
        """HeadBucket: raises unless the bucket answers to these credentials."""
        async with self._client() as client:
            await client.head_bucket(Bucket=self.bucket)

    async def open(self, key: str) -> OpenBlob:
        stack = AsyncExitStack()
        try:
            client = await stack.enter_async_context(self._client())
            response = await _get_object(client, self.bucket, self.object_key(key))
        except BaseException:
            await stack.aclose()
            raise
        return OpenBlob(
            int(response["ContentLength"]), _body_chunks(response["Body"], stack)
        )


async def _body_chunks(body: Any, stack: AsyncExitStack) -> AsyncIterator[bytes]:
    try:
        async for chunk in body.iter_chunks(CHUNK_BYTES):
            yield chunk
    finally:
        body.close()
        await stack.aclose()


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _NOT_FOUND


async def _head(client: Any, bucket: str, object_key: str) -> bool:
    try:
        await client.head_object(Bucket=bucket, Key=object_key)
    except ClientError as exc:
        if _is_missing(exc):
            return False
        raise
    return True


async def _get_object(client: Any, bucket: str, object_key: str) -> Any:
    try:
        return await client.get_object(Bucket=bucket, Key=object_key)
    except ClientError as exc:
        if _is_missing(exc):
            raise missing(object_key) from None
        raise
