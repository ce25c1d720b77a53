"""PostgreSQL stops and comes back: meanwhile /graphql answers 503
SERVICE_UNAVAILABLE JSON with Retry-After (never a 500, never a dropped connection);
afterwards it answers again, without a restart.

A private cluster (pg_createcluster on a free port) is stopped, never the shared
server; it runs only with TEST_DATABASE_URL (PostgreSQL tests) and is always dropped.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app import db
from tests.faults.servers import PostgresCluster, Tally, served, until_ok
from tests.helpers import auth

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL outages: TEST_DATABASE_URL",
)

EMAILS = {"query": "{ emails(first: 20) { totalCount nodes { id subject } } }"}
OUTAGE_SECONDS = 4.0
MIN_UNAVAILABLE_SHARE = 0.95


def _installed_version() -> str:
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name))
    return versions[-1].name


@pytest.fixture
async def cluster() -> AsyncIterator[PostgresCluster]:
    cluster = PostgresCluster(_installed_version())
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.drop()


@pytest.fixture
async def database(cluster: PostgresCluster) -> AsyncIterator[str]:
    """The migrated `postgres` database of the private cluster, open for the ORM."""
    await db.migrate(cluster.url)
    await db.close_db()
    await db.open_db(cluster.url)
    yield cluster.url
    await db.close_db()


async def test_postgres_down_answers_503_and_recovers(app, admin, email, cluster):
    async with asyncio.timeout(50), served(app) as client:
        headers = auth(admin.token)

        async def emails() -> httpx.Response:
            return await client.post("/graphql", json=EMAILS, headers=headers)

        # Given the API answers, with requests in flight when the cluster stops
        assert (await emails()).status_code == 200
        tally = Tally()
        pollers = [
            asyncio.create_task(tally.poll(emails, OUTAGE_SECONDS + 1))
            for _ in range(4)
        ]
        await asyncio.sleep(0.3)
        before = len(tally.answers)

        # When PostgreSQL stops
        await asyncio.to_thread(cluster.stop)
        during = Tally()
        await during.poll(emails, OUTAGE_SECONDS)
        await asyncio.gather(*pollers)

        # Then every answer is JSON: 503 SERVICE_UNAVAILABLE with Retry-After, or a
        # 200 from before the stop; none is a 500 or a dropped connection
        outage = tally.answers[before:] + during.answers
        share = during.unavailable_share
        print(f"postgres outage: {len(outage)} answers, {share:.0%} 503")
        assert not Tally.bad_of(outage), outage
        assert share >= MIN_UNAVAILABLE_SHARE, during.answers

        # And once PostgreSQL is back, the API recovers by itself
        await asyncio.to_thread(cluster.start)
        response = await until_ok(emails)
        assert response.json()["data"]["emails"]["totalCount"] == 1
