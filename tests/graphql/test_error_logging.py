"""What the server log says about errors: a client's mistakes are one INFO line
each, with no traceback and nothing of the query text or variables; only an
unexpected failure is an ERROR, with its traceback and the request's id."""

import logging

import pytest

from app.core.logs import JsonFormatter
from app.mail.models import Email
from tests.helpers import ERROR, auth

SECRET = "S3CRET-literal"
ENUM_SECRET = SECRET.upper().replace("-", "_")  # an enum literal

MISTAKES = [
    pytest.param({"query": f'{{ email(id: "{SECRET}") {{ id nope }} }}'}, id="unknown"),
    pytest.param({"query": f'{{ viewer {{ id }} "{SECRET}" }}'}, id="syntax"),
    pytest.param(
        {
            "query": "query($id: ID!) { email(id: $id) { id } }",
            "variables": {"id": [SECRET]},
        },
        id="variable",
    ),
    pytest.param(
        {
            "query": f"{{ emails(filter: {{status: [{ENUM_SECRET}]}})"
            " { totalCount } }"
        },
        id="enum-literal",
    ),
    pytest.param(
        {
            "query": "mutation($i: UpdateEmailInput!) { updateEmail(input: $i) {"
            f" __typename {ERROR} }} }}",
            "variables": {"i": {"id": SECRET, "metadata": {"k": SECRET}}},
        },
        id="input-error",
    ),
    pytest.param(
        {
            "query": "{ emails(first: 100) { nodes { emailThread { emails(first: 100)"
            f" {{ nodes {{ subject }} }} }} }} }} }} # {SECRET}"
        },
        id="over-budget",
    ),
]


def server_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith("httpx")]


@pytest.mark.parametrize("request_body", MISTAKES)
async def test_client_mistakes_are_info_without_query_text(
    admin, client, caplog, request_body
):
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql", json=request_body, headers=auth(admin.token)
        )
    assert response.status_code in (200, 400), response.text
    records = server_lines(caplog)
    assert records
    formatter = JsonFormatter()
    for record in records:
        line = formatter.format(record)
        assert SECRET not in line, line
        assert ENUM_SECRET not in line, line
        assert record.levelno <= logging.INFO, line
        assert record.exc_info is None, line


async def test_a_bad_token_is_info(client, caplog):
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers=auth(SECRET)
        )
    assert response.status_code == 401
    assert all(r.levelno <= logging.INFO for r in server_lines(caplog))
    assert SECRET not in caplog.text


async def test_an_unexpected_failure_is_an_error_with_the_request_id(
    admin, client, one_of_each, caplog
):
    # given a row the API cannot render (see test_error_reporting)
    await Email.filter(id=one_of_each.email.id).update(
        last_tries=[{"at": "not-a-date", "status": "250", "detail": ""}]
    )
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { email(id: $id) { lastTries { at } } }",
                "variables": {"id": one_of_each.gid("email")},
            },
            headers=auth(admin.token),
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    [error] = [r for r in server_lines(caplog) if r.levelno >= logging.ERROR]
    assert error.exc_info is not None
    assert error.request_id == response.headers["X-Request-ID"]
    assert f'"request_id": "{error.request_id}"' in JsonFormatter().format(error)
