"""An outage met inside a resolver (after authentication and the rate limit passed):
the whole answer is 503 SERVICE_UNAVAILABLE with Retry-After, not INTERNAL_ERROR.

The outages are real: a Redis client and a PostgreSQL URL for ports where nothing
listens. Authentication and the rate limit are stubbed here only so the request
reaches the resolvers; tests/faults/ stop real servers end to end."""

import logging
from collections.abc import AsyncIterator

import pytest
from arq.connections import ArqRedis

from app import db
from app.accounts import service as accounts
from app.http import graphql_view
from app.http.ratelimit import RateLimits
from app.tasks.models import Task, TaskKind, TaskStatus
from tests.helpers import auth, gid_of, unused_port
from tests.triage.api import DISMISS

EMAILS = "{ emails(first: 10) { totalCount nodes { id subject } } }"


@pytest.fixture
async def past_the_gate(admin, monkeypatch):
    """The admin's requests skip the token lookup and the rate limit."""
    viewer = await accounts.authenticate(admin.token)

    async def authenticated(request):
        return viewer

    monkeypatch.setattr(graphql_view, "authenticated", authenticated)
    return admin


@pytest.fixture
async def redis_down(app) -> AsyncIterator[None]:
    healthy, healthy_limits = app.state.redis, app.state.rate_limits
    app.state.redis = ArqRedis(
        host="127.0.0.1", port=unused_port(), socket_connect_timeout=1
    )
    app.state.rate_limits = RateLimits(app.state.redis)
    try:
        yield
    finally:
        await app.state.redis.aclose()
        app.state.redis, app.state.rate_limits = healthy, healthy_limits


@pytest.fixture
async def database_down(database) -> AsyncIterator[None]:
    await db.close_db()
    await db.open_db(f"postgres://mailroom@127.0.0.1:{unused_port()}/nowhere")
    try:
        yield
    finally:
        await db.close_db()
        await db.open_db(database)


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]


async def test_a_mutation_whose_enqueue_meets_redis_down_keeps_its_committed_task(
    past_the_gate, client, email, redis_down, caplog
):
    # Given Redis is down when dismissEmail enqueues its task
    # When it is called
    response = await client.post(
        "/graphql",
        json={"query": DISMISS, "variables": {"input": {"id": gid_of(email)}}},
        headers=auth(past_the_gate.token),
    )

    # Then the task it committed is the answer (a 503 would invite a retry that
    # does the work twice): QUEUED, for the reconciler to enqueue once Redis is back
    assert response.status_code == 200, response.text
    answer = response.json()["data"]["dismissEmail"]
    assert answer["__typename"] == "Task", answer
    (task,) = await Task.filter(kind=TaskKind.DISMISS_EMAIL)
    assert task.status is TaskStatus.QUEUED
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_query_whose_resolver_meets_the_database_down_answers_503(
    past_the_gate, client, email, database_down, caplog
):
    # Given the database does not answer once the request is past authentication
    # When a list is asked for
    response = await client.post(
        "/graphql", json={"query": EMAILS}, headers=auth(past_the_gate.token)
    )

    # Then the answer is 503, and nothing is logged as an error
    _assert_unavailable(response)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_authentication_meeting_the_database_down_answers_503(
    admin, client, database_down
):
    # Given the database is down, so the token cannot be looked up
    # When an authenticated request comes in
    response = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=auth(admin.token)
    )

    # Then it is 503 JSON, not a bare 500 nor 401
    _assert_unavailable(response)


async def test_the_rate_limit_meeting_redis_down_answers_503(admin, client, redis_down):
    response = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=auth(admin.token)
    )
    _assert_unavailable(response)


async def test_a_content_route_meeting_the_database_down_answers_503(
    admin, client, email, database_down
):
    response = await client.get(
        f"/content/emails/{gid_of(email)}", headers=auth(admin.token)
    )
    _assert_unavailable(response)
