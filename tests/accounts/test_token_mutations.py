"""createApiToken and revokeApiToken."""

from app.accounts.models import ApiToken, Role
from app.accounts.tokens import hash_token
from app.core import ids
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

# -------------------------------------------------------------------------- tokens


CREATE_TOKEN = f"""mutation($user: ID!, $name: String!) {{
  createApiToken(input: {{user: $user, name: $name}}) {{
    __typename ... on CreateApiTokenPayload {{
      token apiToken {{ id name prefix revokedAt user {{ id }} }} }}
    {ERROR} }} }}"""

REVOKE_TOKEN = f"""mutation($id: ID!) {{ revokeApiToken(input: {{id: $id}}) {{
  __typename ... on ApiToken {{ id revokedAt }} {ERROR} }} }}"""


async def test_create_api_token_returns_a_working_token_shown_once(admin, client):
    # given a viewer of the organization
    viewer = await admin.add_user(Role.VIEWER)
    # when the admin creates a token for the viewer
    result = await mutate(
        admin, CREATE_TOKEN, {"user": ids.encode("User", viewer.user_id), "name": "CI"}
    )
    # then the plain token comes back once, with its metadata
    assert result["__typename"] == "CreateApiTokenPayload", result
    token = result["token"]
    api_token = result["apiToken"]
    assert api_token["name"] == "CI" and api_token["revokedAt"] is None
    assert api_token["user"] == {"id": ids.encode("User", viewer.user_id)}
    assert token.startswith(api_token["prefix"]) and len(api_token["prefix"]) < len(
        token
    )
    # and only its hash is stored
    row = await ApiToken.get(id=ids.decode(api_token["id"], "ApiToken"))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    # and it authenticates as the viewer
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { id role } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["viewer"] == {
        "id": ids.encode("User", viewer.user_id),
        "role": "VIEWER",
    }


async def test_every_created_token_is_different(admin):
    user = ids.encode("User", admin.user_id)
    first = await mutate(admin, CREATE_TOKEN, {"user": user, "name": "a"})
    second = await mutate(admin, CREATE_TOKEN, {"user": user, "name": "a"})
    assert first["token"] != second["token"]


async def test_create_api_token_for_an_unknown_user_is_not_found(admin):
    result = await mutate(
        admin, CREATE_TOKEN, {"user": ids.encode("User", 424242), "name": ""}
    )
    assert_input_error(result, "NOT_FOUND", "user")
    assert await ApiToken.all().count() == 1


async def test_revoke_api_token_marks_it_revoked_once(admin):
    # given a viewer's token
    viewer = await admin.add_user(Role.VIEWER)
    row = await ApiToken.get(user_id=viewer.user_id)
    # when the admin revokes it, twice
    first = await mutate(admin, REVOKE_TOKEN, {"id": gid_of(row)})
    second = await mutate(admin, REVOKE_TOKEN, {"id": gid_of(row)})
    # then it is revoked, and the second call keeps the first revocation time
    assert first["__typename"] == "ApiToken" and first["revokedAt"] is not None
    assert second["revokedAt"] == first["revokedAt"]
    assert (await ApiToken.get(id=row.id)).revoked_at is not None
    # and the admin's own token is untouched
    assert (await ApiToken.get(user_id=admin.user_id)).revoked_at is None


async def test_revoke_api_token_of_an_unknown_id_is_not_found(admin):
    result = await mutate(admin, REVOKE_TOKEN, {"id": ids.encode("ApiToken", 424242)})
    assert_input_error(result, "NOT_FOUND", "id")
