"""Redis stops and comes back: meanwhile /graphql answers 503 SERVICE_UNAVAILABLE
JSON with Retry-After (the rate limit and enqueueing need Redis); afterwards it
answers again, without a restart."""

import asyncio

import httpx

from tests.faults.servers import Tally, served, until_ok
from tests.helpers import auth, gid_of
from tests.triage.api import DISMISS

VIEWER = {"query": "{ viewer { id } }"}
OUTAGE_SECONDS = 3.0


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_redis_down_answers_503_and_recovers(app, admin, email, redis_server):
    async with asyncio.timeout(50), served(app) as client:
        headers = auth(admin.token)
        dismiss = {"query": DISMISS, "variables": {"input": {"id": gid_of(email)}}}

        async def viewer() -> httpx.Response:
            return await client.post("/graphql", json=VIEWER, headers=headers)

        # Given the API answers
        assert (await viewer()).status_code == 200

        # When Redis stops
        redis_server.stop()

        # Then a query and a mutation that enqueues answer 503 JSON with Retry-After
        _assert_unavailable(await viewer())
        _assert_unavailable(
            await client.post("/graphql", json=dismiss, headers=headers)
        )
        tally = Tally()
        await tally.poll(viewer, OUTAGE_SECONDS, pause=0.05)
        share = tally.unavailable_share
        print(f"redis outage: {len(tally.answers)} answers, {share:.0%} 503")
        assert tally.unavailable_share == 1.0, tally.answers

        # And once Redis is back on the same port, the API recovers by itself
        redis_server.start()
        await until_ok(viewer)
        response = await client.post("/graphql", json=dismiss, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["dismissEmail"]["__typename"] == "Task"
