"""/healthz, /readyz and /metrics: what a load balancer and Prometheus see."""

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app import db
from tests.helpers import unused_port


@pytest.fixture
async def dead_redis() -> AsyncIterator[Redis]:
    """A Redis client for a port where no server answers."""
    client = Redis(host="127.0.0.1", port=unused_port(), socket_connect_timeout=1)
    yield client
    await client.aclose()


async def test_healthz_answers_without_a_token(client):
    # When the process is asked whether it is up, with no credentials
    response = await client.get("/healthz")

    # Then it answers 200
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_when_database_and_redis_answer(client):
    # Given the database and Redis of this test are up
    # When readiness is asked
    response = await client.get("/readyz")

    # Then both are reported ok
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == "ok"


async def test_readyz_is_503_when_redis_does_not_answer(app, client, dead_redis):
    # Given the application's Redis is a server that does not answer
    healthy = app.state.redis
    app.state.redis = dead_redis
    try:
        # When readiness is asked
        response = await client.get("/readyz")
    finally:
        app.state.redis = healthy

    # Then it is 503, naming Redis as down and the database as ok
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["redis"] == "down"
    assert body["database"] == "ok"


async def test_readyz_is_503_when_the_database_is_unreachable(client, database):
    # Given the ORM points at a PostgreSQL server that is not there
    await db.close_db()
    assert await db.open_db(f"postgres://mailroom@127.0.0.1:{unused_port()}/nowhere")
    try:
        # When readiness is asked
        response = await client.get("/readyz")
    finally:
        await db.close_db()
        await db.open_db(database)  # the fixture's database again, for teardown

    # Then it is 503, naming the database as down and Redis as ok
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["database"] == "down"
    assert body["redis"] == "ok"

    # And once the database is back, readiness recovers
    assert (await client.get("/readyz")).status_code == 200


async def test_metrics_exposes_request_counters(client):
    # Given the service has answered a request
    await client.get("/healthz")

    # When Prometheus scrapes it
    response = await client.get("/metrics")

    # Then it gets the text format with the request counter
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "mailroom_http_requests_total" in response.text
    assert 'mailroom_http_requests_total{path="/healthz",status="200"}' in response.text


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        pytest.param({}, 401, "AUTHENTICATION_FAILED", id="no-token"),
        pytest.param(
            {"Authorization": "Bearer wrong"}, 403, "ACCESS_FORBIDDEN", id="wrong"
        ),
    ],
)
async def test_metrics_with_a_token_set_refuse_other_callers(
    client, settings, headers, status, code
):
    # Given METRICS_TOKEN is set
    settings(metrics_token="scrape-secret")
    # When /metrics is asked without it
    response = await client.get("/metrics", headers=headers)
    # Then it is refused as JSON, and no metric leaks
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert "mailroom_http_requests_total" not in response.text


async def test_metrics_with_a_token_set_answer_the_scraper(client, settings):
    settings(metrics_token="scrape-secret")
    response = await client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-secret"}
    )
    assert response.status_code == 200
    assert "mailroom_http_requests_total" in response.text
