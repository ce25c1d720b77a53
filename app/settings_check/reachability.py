"""Reachability: connect to PostgreSQL, Redis and an S3 bucket as the ORM, the
worker and the blob store will, with a short timeout, and say why it failed in
words an operator can act on."""

import asyncio
import dataclasses
import math
import os
import re
from collections.abc import Iterator

from app.settings_check.problems import (
    BLOB_STORE_URL,
    DATABASE_URL,
    EXPECT_BUCKET,
    EXPECT_RUNNING_REDIS,
    EXPECT_SENTINEL,
    REDIS_URL,
    Problem,
)
from app.settings_check.variables import redis_settings

TIMEOUT = 3.0  # seconds for each reachability probe; they run concurrently


def describe(exc: BaseException) -> str:
    """A short reason for a connection failure: the OS error's text if there is one.

    Client libraries wrap the OSError ("Error 111 connecting to …"); its own text,
    e.g. "Connection refused", is what an operator needs.
    """
    for seen in _chain(exc):
        if isinstance(seen, TimeoutError):
            return "timed out"
        if isinstance(seen, OSError):
            errno = seen.errno
            if errno is None:  # asyncio: "Multiple exceptions: [Errno 111] …"
                found = re.search(r"\[Errno (\d+)\]", str(seen))
                errno = int(found.group(1)) if found else None
            if errno is not None and errno > 0:
                return os.strerror(errno)
            if seen.strerror:
                return str(seen.strerror)  # resolver errors: negative errno
    return str(exc).strip() or type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        yield seen
        seen = seen.__cause__ or seen.__context__


def _unreachable(exc: BaseException) -> bool:
    """True for network trouble; False when a server answered with a refusal."""
    return any(isinstance(e, OSError | TimeoutError) for e in _chain(exc))


async def reach_postgres(url: str, within: float = TIMEOUT) -> Problem | None:
    """Connect and close, as the ORM will; None when that works in time."""
    import asyncpg
    from tortoise.backends.base.config_generator import expand_db_url

    credentials = expand_db_url(url)["credentials"]
    options = {
        key: credentials.get(key)
        for key in ("host", "port", "user", "password", "database", "ssl")
        if credentials.get(key) is not None
    }
    try:
        connection = await asyncio.wait_for(
            asyncpg.connect(timeout=within, **options), within
        )
        await connection.close(timeout=within)
    except Exception as exc:
        return _reach_problem(
            DATABASE_URL,
            url,
            exc,
            within,
            "a running PostgreSQL that accepts this user, password and database",
        )
    return None


async def reach_redis(url: str, within: float = TIMEOUT) -> Problem | None:
    """Connect and PING through arq, as the worker will; None when that works."""
    from arq import create_pool
    from redis.asyncio.sentinel import MasterNotFoundError

    # arq takes whole seconds here; wait_for below still holds us to `within`.
    settings = dataclasses.replace(
        redis_settings(url), conn_timeout=math.ceil(within), conn_retries=0
    )
    try:
        pool = await asyncio.wait_for(create_pool(settings), within)
        await pool.aclose()
    except MasterNotFoundError as exc:  # its text embeds every sentinel's repr
        reason = f"is not reachable within {within:g}s ({str(exc).split(' : ')[0]})"
        return Problem(REDIS_URL, url, reason, EXPECT_SENTINEL)
    except Exception as exc:
        return _reach_problem(
            REDIS_URL,
            url,
            exc,
            within,
            EXPECT_RUNNING_REDIS,
        )
    return None


async def reach_bucket(url: str, within: float = TIMEOUT) -> Problem | None:
    """HeadBucket with this process's AWS settings, as the blob store will."""
    from urllib.parse import urlsplit

    from botocore.exceptions import BotoCoreError, ClientError

    from app.core.s3_blobs import S3BlobStore

    try:
        await asyncio.wait_for(S3BlobStore(bucket=urlsplit(url).netloc).reach(), within)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = f"is not usable ({error.get('Code')}: {error.get('Message', '')})"
        return Problem(BLOB_STORE_URL, url, reason.replace(": )", ")"), EXPECT_BUCKET)
    except (BotoCoreError, OSError, TimeoutError) as exc:
        return _reach_problem(BLOB_STORE_URL, url, exc, within, EXPECT_BUCKET)
    return None


def _reach_problem(
    variable: str, url: str, exc: BaseException, within: float, expected: str
) -> Problem:
    if _unreachable(exc):
        reason = f"is not reachable within {within:g}s ({describe(exc)})"
    else:
        reason = f"is not usable ({describe(exc)})"
    return Problem(variable, url, reason, expected)
