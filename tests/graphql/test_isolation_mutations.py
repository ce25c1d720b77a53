"""Organization isolation in mutations: another organization's ids are NOT_FOUND and
change nothing, its tokens and idempotency keys open nothing."""

import base64
from dataclasses import dataclass
from typing import Any

import pytest

from app.core import ids
from app.tasks.models import Task
from tests.graphql.org_world import RAW_MESSAGE, build_world, snapshot
from tests.helpers import auth

# ---------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Foreign:
    """A mutation B runs naming A's objects, and the InputError field expected."""

    id: str
    document: str
    variables: Any  # (A's world, B's world) -> dict
    field: str


FOREIGN_MUTATIONS = [
    Foreign(
        "importEmail-into-A-inbox",
        """mutation($raw: String!, $to: String!) {
             importEmail(input: {rawMessageBase64: $raw, recipient: $to}) { ...R } }""",
        lambda a, b: {
            "raw": base64.b64encode(RAW_MESSAGE).decode(),
            "to": a.inbox.email,
        },
        "recipient",
    ),
    Foreign(
        "updateQueue",
        'mutation($id: ID!) { updateQueue(input: {id: $id, name: "Pwned"}) { ...R } }',
        lambda a, b: {"id": a.gid("queue")},
        "id",
    ),
    Foreign(
        "updateInbox",
        """mutation($id: ID!) { updateInbox(input: {id: $id, name: "Pwned",
             minImageBytes: 7,
             acceptedMimeTypes: ["text/plain"]}) { ...R } }""",
        lambda a, b: {"id": a.gid("inbox")},
        "id",
    ),
    Foreign(
        "updateInbox-moved-to-A-queue",
        """mutation($id: ID!, $q: ID!) {
             updateInbox(input: {id: $id, queue: $q}) { ...R } }""",
        lambda a, b: {"id": b.gid("inbox"), "q": a.gid("queue")},
        "queue",
    ),
    Foreign(
        "createInbox-in-A-queue",
        """mutation($q: ID!) {
             createInbox(input: {queue: $q, email: "steal@b.example"}) { ...R } }""",
        lambda a, b: {"q": a.gid("queue")},
        "queue",
    ),
    Foreign(
        "createApiToken-for-A-user",
        "mutation($u: ID!) { createApiToken(input: {user: $u}) { ...R } }",
        lambda a, b: {"u": a.gid("user")},
        "user",
    ),
    Foreign(
        "revokeApiToken",
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { ...R } }",
        lambda a, b: {"id": a.gid("token")},
        "id",
    ),
    Foreign(
        "updateEmail",
        """mutation($id: ID!) { updateEmail(input: {id: $id, status: RESOLVED,
             unread: false, labels: [REJECTED], metadata: {pwned: true},
             externalId: "X"}) { ...R } }""",
        lambda a, b: {"id": a.gid("email")},
        "id",
    ),
    Foreign(
        "deleteEmail",
        "mutation($id: ID!) { deleteEmail(input: {id: $id}) { ...R } }",
        lambda a, b: {"id": a.gid("email")},
        "id",
    ),
    Foreign(
        "resendEmail",
        "mutation($id: ID!) { resendEmail(input: {id: $id}) { ...R } }",
        lambda a, b: {"id": a.gid("email")},
        "id",
    ),
    Foreign(
        "updateAnnotation",
        """mutation($id: ID!) { updateAnnotation(input: {id: $id, status: REJECTED,
             clearAssignee: true, metadata: {pwned: true}}) { ...R } }""",
        lambda a, b: {"id": a.gid("annotation")},
        "id",
    ),
    Foreign(
        "updateAnnotation-assign-A-user",
        """mutation($id: ID!, $u: ID!) {
             updateAnnotation(input: {id: $id, assignee: $u}) { ...R } }""",
        lambda a, b: {"id": b.gid("annotation"), "u": a.gid("user")},
        "assignee",
    ),
    Foreign(
        "updateEmailTemplate",
        """mutation($id: ID!) { updateEmailTemplate(input: {id: $id, name: "Pwned",
             subject: "Pwned", message: "<p>pwned</p>"}) { ...R } }""",
        lambda a, b: {"id": a.gid("template")},
        "id",
    ),
    Foreign(
        "createEmailTemplate-in-A-queue",
        """mutation($q: ID!) {
             createEmailTemplate(input: {name: "T", queue: $q}) { ...R } }""",
        lambda a, b: {"q": a.gid("queue")},
        "queue",
    ),
    Foreign(
        "cancelTask",
        "mutation($id: ID!) { cancelTask(input: {id: $id}) { ...R } }",
        lambda a, b: {"id": a.gid("task")},
        "id",
    ),
]


def _with_input_error(document: str) -> str:
    """Ask for __typename and the InputError's fields whatever the success type is."""
    return document.replace(
        "{ ...R }", "{ __typename ... on InputError { code field message } }"
    )


@pytest.mark.parametrize("mutation", FOREIGN_MUTATIONS, ids=lambda m: m.id)
async def test_mutations_naming_another_organizations_objects_are_not_found(
    org_a, org_b, mutation
):
    # given organization A's objects, and B's own objects to aim with
    a, a_world = org_a
    b_world = await build_world(org_b, "b")
    a_before = await snapshot(a.organization_id)
    b_before = await snapshot(org_b.organization_id)
    # when B runs the mutation naming A's object
    data = await org_b.data(
        _with_input_error(mutation.document), mutation.variables(a_world, b_world)
    )
    # then it answers InputError NOT_FOUND on the field that named it
    [result] = data.values()
    assert result == {
        "__typename": "InputError",
        "code": "NOT_FOUND",
        "field": mutation.field,
        "message": result["message"],
    }
    # without telling B anything of A's it did not send itself
    for secret in (
        "Org A",
        "Queue a",
        "Inbox a",
        "Template a",
        "Invoice a",
        "annotator@a",
    ):
        assert secret not in result["message"]
    # and neither organization's rows changed
    assert await snapshot(a.organization_id) == a_before
    assert await snapshot(org_b.organization_id) == b_before


async def test_foreign_mutations_are_refused_for_b_but_work_for_a(org_a):
    # given organization A (the control: the same mutations succeed for the owner)
    a, world = org_a
    # when A cancels its task and updates its email
    data = await a.data(
        """mutation($t: ID!, $e: ID!) {
             cancelTask(input: {id: $t}) { __typename ... on Task { status } }
             updateEmail(input: {id: $e, unread: false}) {
               __typename ... on Email { unread } }
           }""",
        {"t": world.gid("task"), "e": world.gid("email")},
    )
    # then both succeed
    assert data == {
        "cancelTask": {"__typename": "Task", "status": "CANCELLED"},
        "updateEmail": {"__typename": "Email", "unread": False},
    }


async def test_a_token_created_by_b_never_opens_a(org_a, org_b, client):
    # given B creating a token for its own user
    _, world = org_a
    created = await org_b.data(
        """mutation($u: ID!) { createApiToken(input: {user: $u}) {
             ... on CreateApiTokenPayload { token } } }""",
        {"u": ids.encode("User", org_b.user_id)},
    )
    token = created["createApiToken"]["token"]
    # when that token asks for A's email
    response = await client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { email(id: $id) { subject } }",
            "variables": {"id": world.gid("email")},
        },
        headers=auth(token),
    )
    # then it is null
    assert response.json() == {"data": {"email": None}}


async def test_an_idempotency_key_never_returns_another_organizations_task(
    org_a, org_b
):
    # given A's task created with idempotency key "key-a", and B's own inbox
    _, a_world = org_a
    b_world = await build_world(org_b, "b")
    # when B imports with the same key into its own inbox
    data = await org_b.data(
        """mutation($raw: String!, $to: String!) {
             importEmail(input: {rawMessageBase64: $raw, recipient: $to,
                                 idempotencyKey: "key-a"}) {
               __typename ... on Task { id } } }""",
        {"raw": base64.b64encode(RAW_MESSAGE).decode(), "to": b_world.inbox.email},
    )
    # then B gets a task of its own, not A's
    assert data["importEmail"]["__typename"] == "Task"
    assert data["importEmail"]["id"] not in (a_world.gid("task"), b_world.gid("task"))
    task = await Task.get(id=ids.decode(data["importEmail"]["id"], "Task"))
    assert task.organization_id == org_b.organization_id
