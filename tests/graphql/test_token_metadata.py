"""An API token's prefix and last use are the administrators' to see: anyone else
reading them gets ACCESS_FORBIDDEN and not the value."""

import pytest

from app.accounts.models import Role

TOKEN = "query($id: ID!) { node(id: $id) { ... on ApiToken { id %s } } }"


@pytest.mark.parametrize("field", ["prefix", "lastUsedAt"])
@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
async def test_token_metadata_is_forbidden_below_admin(actor, one_of_each, role, field):
    reader = await actor(role)
    body = await reader.gql(TOKEN % field, {"id": one_of_each.gid("other_token")})
    node = body["data"]["node"]  # a non-null field's refusal nulls the token
    assert node is None or node[field] is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"]
    assert one_of_each.other_token.prefix not in str(body)


async def test_an_admin_reads_token_metadata(admin, one_of_each):
    body = await admin.data(
        TOKEN % "prefix lastUsedAt", {"id": one_of_each.gid("other_token")}
    )
    assert body["node"]["prefix"] == one_of_each.other_token.prefix
