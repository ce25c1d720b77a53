"""Where a benchmark runs: a fresh migrated database (SQLite, or PostgreSQL when
BENCH_DATABASE_URL or TEST_DATABASE_URL names a server), a private VAR_DIR and
embedded Redis (or BENCH_REDIS_URL / TEST_REDIS_URL), an organization and its token."""

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def postgres_url() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


def engines() -> list[str]:
    return ["sqlite", "postgres"] if postgres_url() else ["sqlite"]


@dataclass
class Env:
    engine: str
    url: str
    var: Path
    organization_id: int
    user_id: int
    token: str


async def _pg_admin(statement: str) -> None:
    import asyncpg

    url = postgres_url() or ""
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def environment(engine: str, **settings: str) -> AsyncIterator[Env]:
    var = Path(tempfile.mkdtemp(prefix=f"mailroom-bench-{engine}-"))
    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    env = {
        "VAR_DIR": str(var),
        "RATE_LIMIT_PER_MINUTE": "1000000",
        "RATE_LIMIT_PER_IP_PER_MINUTE": "1000000",
        "GRAPHQL_MAX_COST": "100000",
        # One log line a request would be the same for both arms of nothing.
        "LOG_LEVEL": "WARNING",
        "REDIS_KEY_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
        **settings,
    }
    if redis:
        env["REDIS_URL"] = redis
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    from app import db
    from app.accounts.service import create_organization
    from app.core.redis import arq_settings, release_embedded
    from app.settings import get_settings

    get_settings.cache_clear()
    arq_settings.cache_clear()
    name = f"mr_bench_{uuid.uuid4().hex[:10]}"
    pg = postgres_url() if engine == "postgres" else None
    if pg:
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = urlunparse(urlparse(pg)._replace(path=f"/{name}"))
    else:
        url = f"sqlite://{var / 'bench.sqlite3'}"
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    try:
        await db.migrate(url)
        await db.close_db()
        await db.open_db(url)
        org, user, token = await create_organization(
            name="Bench", admin_email="bench@example.com"
        )
        yield Env(engine, url, var, org.id, user.id, token)
    finally:
        await db.close_db()
        release_embedded()
        if pg:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var, ignore_errors=True)  # blobs of large messages
