"""Error reporting: invalid documents and variables are BAD_REQUEST, unreadable
requests a coded JSON error, unexpected failures masked and logged."""

import logging

import pytest

from app.mail.models import Email
from tests.helpers import auth

# ------------------------------------------------------------------ error reporting


@pytest.mark.parametrize(
    "document",
    [
        pytest.param("{ viewer { email }", id="syntax-error"),
        pytest.param("{ noSuchField }", id="unknown-field"),
        pytest.param("{ email { id } }", id="missing-argument"),
        pytest.param("{ email(id: 1.5) { id } }", id="wrong-argument-type"),
        pytest.param(
            "mutation { createQueue(input: {}) { __typename } }",
            id="missing-input-field",
        ),
        pytest.param(
            "query A { viewer { email } } query A { viewer { email } }",
            id="duplicate-operation",
        ),
    ],
)
async def test_an_invalid_document_is_bad_request(admin, client, document):
    # given a document that does not validate against the schema
    # when it is posted with a valid token
    response = await client.post(
        "/graphql", json={"query": document}, headers=auth(admin.token)
    )
    # then every error is coded BAD_REQUEST (never INTERNAL_ERROR), with no data run
    body = response.json()
    assert response.status_code in (200, 400), response.text
    assert body.get("data") is None
    assert body["errors"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_REQUEST"}


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(
            "query($id: ID!) { email(id: $id) { id } }", {"id": []}, id="id-as-list"
        ),
        pytest.param(
            "query($id: ID!) { email(id: $id) { id } }", {}, id="missing-variable"
        ),
        pytest.param(
            "query($n: Int) { queues(first: $n) { totalCount } }",
            {"n": 2**40},
            id="int-out-of-range",
        ),
        pytest.param(
            "query($s: [EmailStatus!]) { emails(filter: {status: $s}) { totalCount } }",
            {"s": ["NOPE"]},
            id="unknown-enum-value",
        ),
    ],
)
async def test_a_variable_the_client_got_wrong_is_bad_request(
    admin, client, document, variables
):
    # given a valid document whose variables do not fit its declared types
    response = await client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers=auth(admin.token),
    )
    # then it is the client's mistake: BAD_REQUEST, with a message that says what is
    # wrong (not a masked INTERNAL_ERROR)
    body = response.json()
    assert body.get("data") is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_REQUEST"}, body
    assert all(e["message"] != "Unexpected error." for e in body["errors"])


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"json": {"query": ""}}, id="empty-query"),
        pytest.param({"json": {"variables": {}}}, id="no-query"),
        pytest.param(
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            id="body-not-json",
        ),
    ],
)
async def test_a_request_without_a_readable_document_is_a_coded_json_error(
    admin, client, request_kwargs
):
    # given an authenticated request that carries no usable GraphQL document
    headers = {**request_kwargs.pop("headers", {}), **auth(admin.token)}
    # when it is posted
    response = await client.post("/graphql", headers=headers, **request_kwargs)
    # then it is refused as a bad request, in the same JSON error shape as every
    # other error, so clients can switch on extensions.code
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json"), (
        response.text
    )
    assert {e["extensions"]["code"] for e in response.json()["errors"]} == {
        "BAD_REQUEST"
    }


async def test_an_unexpected_failure_is_masked_and_logged(admin, one_of_each, caplog):
    # given an email row the API cannot render (a delivery try whose time is garbage:
    # what a bad hand-edit or a buggy migration leaves behind)
    await Email.filter(id=one_of_each.email.id).update(
        last_tries=[{"at": "SECRET-not-a-date", "status": "250", "detail": ""}]
    )
    # when a client reads it
    with caplog.at_level(logging.ERROR, logger="mailroom.graphql"):
        body = await admin.gql(
            "query($id: ID!) { email(id: $id) { subject lastTries { at } } }",
            {"id": one_of_each.gid("email")},
        )
    # then the client sees INTERNAL_ERROR with a generic message and no internals
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR"}
    assert error["message"] == "Unexpected error."
    text = str(body)
    for leak in ("SECRET", "Traceback", "fromisoformat", "ValueError", ".py"):
        assert leak not in text
    # and the failure is logged with its cause for the operators
    records = [r for r in caplog.records if r.name == "mailroom.graphql"]
    assert records and records[0].exc_info is not None
