"""Rate limits before authentication: one address guessing tokens is throttled with
429 whatever tokens it tries; X-Forwarded-For counts only from TRUSTED_PROXIES."""

import pytest

from tests.helpers import auth, error_code

VIEWER = {"query": "{ viewer { id } }"}


@pytest.fixture
def five_per_address(settings):
    settings(rate_limit_per_ip_per_minute="5")


async def guess(client, n: int, **headers: str):
    return await client.post(
        "/graphql", json=VIEWER, headers={**auth(f"mr_guess{n:04d}"), **headers}
    )


async def test_an_address_guessing_tokens_is_throttled(five_per_address, admin):
    # given an address that sent 5 bad tokens (each a 401)
    for n in range(5):
        assert (await guess(admin.client, n)).status_code == 401
    # when it tries more, even with a valid token
    refused = [await guess(admin.client, n) for n in range(5, 20)]
    valid = await admin.client.post("/graphql", json=VIEWER, headers=auth(admin.token))
    # then every one is 429 RATE_LIMITED with Retry-After, before any token is read
    for response in (*refused, valid):
        assert response.status_code == 429, response.text
        assert error_code(response.json()) == "RATE_LIMITED"
        assert 0 < int(response.headers["Retry-After"]) <= 60
    # and the content routes share the budget
    response = await admin.client.get("/content/emails/x", headers=auth(admin.token))
    assert response.status_code == 429


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    five_per_address, admin
):
    # given no trusted proxies, a client that claims a new address every time
    answers = [
        (await guess(admin.client, n, **{"X-Forwarded-For": f"198.51.100.{n}"}))
        for n in range(8)
    ]
    # then it is still one address, throttled after 5
    assert [r.status_code for r in answers] == [401] * 5 + [429] * 3


async def test_a_trusted_proxy_names_the_client(five_per_address, settings, admin):
    # given the test client's address (127.0.0.1) is a trusted proxy
    settings(trusted_proxies="10.0.0.0/8, 127.0.0.1")
    # when one client behind it spends its budget
    for n in range(5):
        hops = {"X-Forwarded-For": "203.0.113.7, 10.1.2.3"}
        assert (await guess(admin.client, n, **hops)).status_code == 401
    spent = await guess(admin.client, 5, **{"X-Forwarded-For": "203.0.113.7"})
    # then that client is throttled, and another behind the same proxy is not
    assert spent.status_code == 429
    other = await guess(admin.client, 6, **{"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 401
    # and a forged left-most hop does not buy the first client a new budget
    forged = await guess(admin.client, 7, **{"X-Forwarded-For": "1.2.3.4, 203.0.113.7"})
    assert forged.status_code == 429
