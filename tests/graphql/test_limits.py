"""Protective limits: rate limits per token, document limits, introspection switch."""

import pytest

from app.graphql.schema import build_schema
from app.settings import Settings


@pytest.fixture
def tight_rate_limit(settings):
    settings(rate_limit_per_minute="3")


async def test_a_token_over_its_budget_is_rate_limited_with_retry_after(
    tight_rate_limit, admin, make_org
):
    # given a budget of 3 requests a minute, when a token makes a 4th
    for _ in range(3):
        await admin.data("{ viewer { id } }")
    response = await admin.client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    # then it is refused with RATE_LIMITED, how long to wait, and HTTP 429
    assert response.status_code == 429
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 60
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # and another token's budget is its own
    other = await make_org("Other")
    assert (await other.data("{ viewer { id } }"))["viewer"]["id"]


async def test_queries_deeper_than_the_limit_are_refused(admin):
    # given a query nested past GRAPHQL_MAX_DEPTH (12)
    selection = "id"
    for _ in range(4):
        selection = f"emailThread {{ emails {{ edges {{ node {{ {selection} }} }} }} }}"
    body = await admin.gql(f"{{ emails {{ edges {{ node {{ {selection} }} }} }} }}")
    # then it is refused before running
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(admin):
    query = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(40)) + " }"
    body = await admin.gql(query)
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_introspection_can_be_turned_off_and_then_suggestions_are_hidden():
    schema = build_schema(Settings(graphql_introspection=False))
    result = schema.execute_sync("{ __schema { types { name } } }")
    assert result.errors and "introspection" in result.errors[0].message.lower()
    typo = schema.execute_sync("{ viewr { id } }")
    assert typo.errors and "Did you mean" not in typo.errors[0].message


def test_introspection_is_on_by_default_with_suggestions():
    schema = build_schema(Settings(graphql_introspection=True))
    assert not schema.execute_sync("{ __schema { types { name } } }").errors
    typo = schema.execute_sync("{ viewr { id } }")
    assert typo.errors and "Did you mean" in typo.errors[0].message
