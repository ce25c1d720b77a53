"""The mutations' contract with clients: every mutation answers a union of its
success type and InputError {code field message}; failures are data, never GraphQL
errors, and no input crashes a mutation."""

import base64

import pytest

from app.inboxes.models import Queue
from app.mail.models import (
    Email,
)
from app.tasks.models import Task
from tests.graphql.mutation_documents import (
    CREATE_QUEUE,
    CREATE_TEMPLATE,
    CREATE_USER,
    UPDATE_EMAIL,
)
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

# --------------------------------------------------------------- clients' contract


async def test_input_errors_come_as_data_never_as_graphql_errors(admin, queue):
    # when one document carries a failing and a succeeding mutation
    body = await admin.gql(
        f"""mutation {{
             bad: createQueue(input: {{name: ""}}) {{ __typename {ERROR} }}
             good: createQueue(input: {{name: "Good"}}) {{
               __typename ... on Queue {{ name }} }}
           }}"""
    )
    # then there are no GraphQL errors: the failure is data, the other mutation ran
    assert "errors" not in body
    assert body["data"]["bad"]["__typename"] == "InputError"
    assert body["data"]["good"] == {"__typename": "Queue", "name": "Good"}
    assert await Queue.filter(name="Good").exists()


async def test_import_email_refuses_values_outside_its_namespace(admin, inbox):
    # the one enqueueing mutation whose InputErrors are synchronous: values keys
    result = await mutate(
        admin,
        f"""mutation($raw: String!) {{ importEmail(input: {{rawMessageBase64: $raw,
             recipient: "in@acme.example", values: {{ total: 1 }} }}) {{
             __typename {ERROR} }} }}""",
        {"raw": base64.b64encode(b"Subject: x\r\n\r\nbody").decode()},
    )
    assert_input_error(result, "BAD_REQUEST", "values")
    assert await Task.all().count() == 0


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(CREATE_QUEUE, {"name": "In\u0000voices"}, id="queue-name"),
        pytest.param(
            CREATE_USER,
            {"input": {"email": "nul@acme.example", "fullName": "Ja\u0000ne"}},
            id="user-full-name",
        ),
        pytest.param(
            CREATE_TEMPLATE,
            {"input": {"name": "T", "subject": "Hi\u0000there"}},
            id="template-subject",
        ),
    ],
)
async def test_a_nul_character_in_text_is_stored_or_refused_never_a_crash(
    admin, document, variables
):
    # given text input carrying U+0000 (valid JSON, valid GraphQL; PostgreSQL text and
    # jsonb cannot hold it)
    # when it is sent
    body = await admin.gql(document, variables)
    # then the caller gets either the stored object or an InputError it can fix,
    # never a masked INTERNAL_ERROR
    assert "errors" not in body, body["errors"]
    [result] = body["data"].values()
    if result["__typename"] == "InputError":
        assert result["code"] == "BAD_REQUEST"


async def test_a_nul_character_in_metadata_is_stored_or_refused_never_a_crash(
    admin, email
):
    body = await admin.gql(
        UPDATE_EMAIL, {"input": {"id": gid_of(email), "metadata": {"note": "a\u0000b"}}}
    )
    assert "errors" not in body, body["errors"]
    result = body["data"]["updateEmail"]
    if result["__typename"] == "InputError":
        assert (result["code"], result["field"]) == ("BAD_REQUEST", "metadata")
    else:
        assert (await Email.get(id=email.id)).metadata == {"note": "a\u0000b"}


async def test_a_nul_character_in_a_literal_of_the_document_is_refused(admin):
    # given U+0000 written as an escape in the document itself, not in variables
    body = await admin.gql(
        'mutation { createQueue(input: {name: "In\\u0000voices"}) '
        "{ __typename ... on InputError { code field } } }"
    )
    # then the mutation answers an InputError naming the field, and nothing is stored
    assert "errors" not in body, body["errors"]
    assert body["data"]["createQueue"] == {
        "__typename": "InputError",
        "code": "BAD_REQUEST",
        "field": "name",
    }
    assert not await Queue.filter(name__contains="voices").exists()


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(
            'query { emails(filter: {subject: "a\\u0000b"}) { totalCount } }',
            None,
            id="literal",
        ),
        pytest.param(
            "query($s: String) { emails(filter: {subject: $s}) { totalCount } }",
            {"s": "a\u0000b"},
            id="variable",
        ),
    ],
)
async def test_a_nul_character_in_a_query_argument_is_bad_request(
    admin, document, variables
):
    body = await admin.gql(document, variables)
    assert body["data"] is None or body["data"]["emails"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
