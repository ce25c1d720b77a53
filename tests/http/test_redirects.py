"""Redirects point at PUBLIC_URL: a forged Host header cannot send a client away."""


async def test_the_trailing_slash_redirect_uses_the_public_url(client, settings):
    # given the API is published at https://mail.example.test
    settings(public_url="https://mail.example.test/")
    # when a client asks for /readyz/ with a forged Host
    response = await client.get(
        "/readyz/?full=1", headers={"Host": "evil.example"}, follow_redirects=False
    )
    # then the redirect goes to the public address, query kept
    assert response.status_code == 307
    assert response.headers["location"] == "https://mail.example.test/readyz?full=1"


async def test_an_unknown_path_is_a_json_404(client):
    response = await client.get("/nope/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
