"""PostgreSQL stops for 20 s and comes back: meanwhile /graphql answers 503
SERVICE_UNAVAILABLE JSON with Retry-After (never a 500, never a dropped connection);
afterwards the API answers again and the worker finishes every import it accepted,
neither restarted.

A private cluster (pg_createcluster on a free port) is stopped, never the shared
server; it runs only with TEST_DATABASE_URL (PostgreSQL tests) and is always dropped.
"""

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app import db
from app.tasks.models import Task, TaskStatus
from tests.faults.batch import INBOX, inbox_for, message
from tests.faults.servers import PostgresCluster, Tally, served, until_ok
from tests.fixtures.processes import eventually
from tests.helpers import auth, pk_of

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL outages: TEST_DATABASE_URL",
)

EMAILS = {"query": "{ emails(first: 20) { totalCount nodes { id subject } } }"}
IMPORT = (
    "mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,"
    f' recipient: "{INBOX}"}}) {{ __typename ... on Task {{ id }} }} }}'
)
OUTAGE_SECONDS = 20.0
DONE_WITHIN = 90.0
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


async def test_postgres_down_answers_503_and_recovers(
    app, admin, email, cluster, start_worker, figures, settings
):
    # The pollers are one token from one address, far above the rate limits.
    settings(rate_limit_per_minute="1000000", rate_limit_per_ip_per_minute="1000000")
    await inbox_for(admin.organization_id)
    worker = await start_worker()
    accepted: list[str] = []
    async with (
        asyncio.timeout(OUTAGE_SECONDS + DONE_WITHIN + 40),
        served(app) as client,
    ):
        headers = auth(admin.token)

        async def emails() -> httpx.Response:
            return await client.post("/graphql", json=EMAILS, headers=headers)

        async def import_one() -> httpx.Response:
            raw = base64.b64encode(message(len(accepted))).decode()
            response = await client.post(
                "/graphql",
                json={"query": IMPORT, "variables": {"raw": raw}},
                headers=headers,
            )
            if response.status_code == 200:
                result = response.json()["data"]["importEmail"]
                if result["__typename"] == "Task":
                    accepted.append(result["id"])
            return response

        # Given the API answers and imports are being accepted, with requests in
        # flight when the cluster stops
        assert (await emails()).status_code == 200
        for _ in range(10):
            assert (await import_one()).status_code == 200
        tally = Tally()
        pollers = [asyncio.create_task(tally.poll(emails, 1.0)) for _ in range(4)] + [
            asyncio.create_task(tally.poll(import_one, 1.0))
        ]
        await asyncio.sleep(0.3)
        before = len(tally.answers)

        # When PostgreSQL stops for OUTAGE_SECONDS
        await asyncio.to_thread(cluster.stop)
        during = Tally()
        await asyncio.gather(
            during.poll(emails, OUTAGE_SECONDS), during.poll(import_one, OUTAGE_SECONDS)
        )
        await asyncio.gather(*pollers)

        # Then every answer is JSON: 503 SERVICE_UNAVAILABLE with Retry-After, or a
        # 200 from before the stop; none is a 500 or a dropped connection
        outage = tally.answers[before:] + during.answers
        share = during.unavailable_share
        assert not Tally.bad_of(outage), outage
        assert share >= MIN_UNAVAILABLE_SHARE, during.answers

        # And once PostgreSQL is back, the API recovers by itself
        await asyncio.to_thread(cluster.start)
        back = time.monotonic()
        response = await until_ok(emails)
        recovered = time.monotonic() - back
        assert response.json()["data"]["emails"]["totalCount"] >= 1

        # and the same worker finishes every import the API accepted
        async def all_done() -> bool:
            done = await Task.filter(
                id__in=[pk_of(i) for i in accepted], status=TaskStatus.SUCCEEDED
            ).count()
            return done == len(accepted)

        await eventually(all_done, within=DONE_WITHIN, what="accepted imports done")
        finished = time.monotonic() - back
        figures(
            "PostgreSQL stopped 20 s",
            f"{len(during.answers)} answers during it, {share:.1%} JSON 503 "
            f"SERVICE_UNAVAILABLE, {len(Tally.bad_of(outage))} bare 500s or dropped; "
            f"API answered {recovered:.1f} s after it returned; {len(accepted)} "
            f"accepted imports all SUCCEEDED {finished:.0f} s after it returned",
        )
        assert worker.returncode is None
