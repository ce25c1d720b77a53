"""Authentication of /graphql: bearer tokens (malformed, unknown, revoked, of a
deactivated user), their last use, and GraphiQL without a back door."""

import re

import pytest

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Role, User
from app.core import ids
from tests.graphql.one_of_each import _assert_authentication_failed
from tests.helpers import auth

VIEWER_QUERY = "{ viewer { email } }"


# ------------------------------------------------------------------- authentication


MALFORMED_HEADERS = [
    pytest.param({}, id="missing"),
    pytest.param({"Authorization": ""}, id="empty"),
    pytest.param({"Authorization": "Bearer"}, id="scheme-without-token"),
    pytest.param({"Authorization": "Bearer    "}, id="scheme-with-blank-token"),
    pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="basic-scheme"),
    pytest.param({"Authorization": "Token mr_abcdef"}, id="other-scheme"),
    pytest.param({"Authorization": "mr_abcdef"}, id="token-without-scheme"),
]


@pytest.mark.parametrize("headers", MALFORMED_HEADERS)
async def test_graphql_without_a_usable_authorization_header_is_401(client, headers):
    # given a request whose Authorization header is missing or not "Bearer <token>"
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then it is refused before any execution
    _assert_authentication_failed(response)


async def test_the_real_token_under_a_wrong_scheme_is_401(admin, client):
    # given the admin's valid token sent with another scheme
    headers = {"Authorization": f"Token {admin.token}"}
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then the token is not accepted
    _assert_authentication_failed(response)


async def test_the_bearer_scheme_is_case_insensitive(admin, client):
    # given the admin's token under a lower-case scheme (RFC 7235: schemes are
    # case-insensitive)
    headers = {"Authorization": f"bearer {admin.token}"}
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then it is served
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["email"].startswith("admin-")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("mr_" + "A" * 43, id="well-formed-unknown"),
        pytest.param("not-a-token", id="garbage"),
        pytest.param("x" * 5000, id="very-long"),
    ],
)
async def test_an_unknown_token_is_401(admin, client, token):
    # given an organization with an admin (so tokens exist), and a token no one issued
    # when it is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(token)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_near_miss_of_a_real_token_is_401(admin, client):
    # given the admin's token with its last character changed
    forged = admin.token[:-1] + ("A" if admin.token[-1] != "A" else "B")
    # when it is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(forged)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_token_revoked_through_the_mutation_stops_working(admin, client):
    # given a second token of a viewer, created through the API, that works
    viewer = await admin.add_user(Role.VIEWER)
    created = await admin.data(
        """mutation($user: ID!) { createApiToken(input: {user: $user, name: "ci"}) {
             __typename ... on CreateApiTokenPayload { token apiToken { id } } } }""",
        {"user": ids.encode("User", viewer.user_id)},
    )
    payload = created["createApiToken"]
    assert payload["__typename"] == "CreateApiTokenPayload"
    token = payload["token"]
    ok = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(token)
    )
    assert ok.status_code == 200
    # when the admin revokes it through revokeApiToken
    revoked = await admin.data(
        """mutation($id: ID!) { revokeApiToken(input: {id: $id}) {
             __typename ... on ApiToken { revokedAt } } }""",
        {"id": payload["apiToken"]["id"]},
    )
    assert revoked["revokeApiToken"]["revokedAt"] is not None
    # then it is refused on its next use, while the viewer's other token still works
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(token)
    )
    _assert_authentication_failed(response)
    other = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(viewer.token)
    )
    assert other.status_code == 200


async def test_an_admin_revoking_its_own_token_is_locked_out(admin, client):
    # given the admin's own token
    own = await ApiToken.get(user_id=admin.user_id)
    # when the admin revokes it with itself
    body = await admin.data(
        """mutation($id: ID!) { revokeApiToken(input: {id: $id}) { __typename } }""",
        {"id": ids.encode("ApiToken", own.id)},
    )
    assert body["revokeApiToken"]["__typename"] == "ApiToken"
    # then the very next request with it is refused
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(admin.token)
    )
    _assert_authentication_failed(response)


async def test_a_token_revoked_through_the_service_stops_working(admin, client):
    # given a viewer whose token works
    viewer = await admin.add_user(Role.VIEWER)
    assert (await viewer.data(VIEWER_QUERY))["viewer"]["email"]
    # when the token is revoked through the service (what `mailroom token revoke` does)
    row = await accounts.revoke_plain_token(viewer.token)
    assert row.revoked_at is not None
    # then it is refused
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(viewer.token)
    )
    _assert_authentication_failed(response)


async def test_using_a_token_records_when_it_was_last_used(admin, client):
    # given a viewer's token that was never used (lastUsedAt null)
    viewer = await admin.add_user(Role.VIEWER)
    row = await ApiToken.get(user_id=viewer.user_id)
    assert row.last_used_at is None
    # when the viewer calls the API with it
    assert (await viewer.data(VIEWER_QUERY))["viewer"]["email"]
    # then the token shows when it was used, to the admin who audits tokens
    data = await admin.data(
        "query($id: ID!) { node(id: $id) { ... on ApiToken { lastUsedAt } } }",
        {"id": ids.encode("ApiToken", row.id)},
    )
    assert data["node"]["lastUsedAt"] is not None
    assert (await ApiToken.get(id=row.id)).last_used_at is not None


async def test_the_token_of_a_deactivated_user_is_401(admin, client):
    # given a viewer whose token works, then deactivated
    viewer = await admin.add_user(Role.VIEWER)
    await User.filter(id=viewer.user_id).update(is_active=False)
    # when the token is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=auth(viewer.token)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_get_query_without_a_token_is_401(client):
    # given a GET that is not from a browser (no text/html in Accept)
    # when it carries a query but no token
    response = await client.get(
        "/graphql",
        params={"query": VIEWER_QUERY},
        headers={"Accept": "application/json"},
    )
    # then it is refused like a POST
    _assert_authentication_failed(response)


async def test_graphiql_is_served_to_a_browser_without_a_token(client):
    # given a browser, with no token
    # when it opens /graphql
    response = await client.get(
        "/graphql", headers={"Accept": "text/html,application/xhtml+xml;q=0.9"}
    )
    # then it gets the GraphiQL page
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_does_not_open_a_back_door_for_queries(client):
    # given a browser-like GET that also carries a query, with no token
    response = await client.get(
        "/graphql", params={"query": VIEWER_QUERY}, headers={"Accept": "text/html"}
    )
    # then it gets the page, never query results
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "admin-" not in response.text


async def test_graphiql_loads_only_this_apps_assets(client):
    # given a browser opening /graphql
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    # then every script and style it names is served here, and the policy says so
    named = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assets = [a for a in named if a != "data:,"]  # the empty favicon
    assert len(assets) == 6
    assert all(a.startswith("/static/graphiql/") for a in assets), assets
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert response.content
