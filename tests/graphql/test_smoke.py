"""The service answers its most basic questions."""


async def test_viewer_answers_with_the_token_owner(admin):
    data = await admin.data("{ viewer { email role organization { name } } }")
    assert data["viewer"]["role"] == "ADMIN"
    assert data["viewer"]["organization"]["name"] == "Acme"
    assert data["viewer"]["email"].startswith("admin-")


async def test_missing_token_is_authentication_failed(client):
    response = await client.post("/graphql", json={"query": "{ viewer { email } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "AUTHENTICATION_FAILED"
