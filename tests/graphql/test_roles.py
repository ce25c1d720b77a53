"""Authorization: each mutation's least role runs it; every role below is
ACCESS_FORBIDDEN and changes nothing."""

import base64
from dataclasses import dataclass
from typing import Any

import pytest

from app.accounts.models import ApiToken, Role, User
from app.documents.models import Annotation
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email
from app.mail.relations import EmailLabel
from app.tasks.models import Task
from app.templates.models import EmailTemplate
from tests.graphql.one_of_each import RAW_MESSAGE


async def _snapshot(organization_id: int) -> dict[str, Any]:
    """Everything a forbidden mutation could have touched, read from the database."""
    return {
        "queues": sorted(
            await Queue.filter(organization_id=organization_id).values_list(
                "id", "name"
            )
        ),
        "inboxes": sorted(
            await Inbox.filter(organization_id=organization_id).values_list(
                "id",
                "name",
                "email",
                "queue_id",
                "min_image_bytes",
                "accepted_mime_types",
            )
        ),
        "users": sorted(
            await User.filter(organization_id=organization_id).values_list(
                "id", "email", "role"
            )
        ),
        "tokens": sorted(
            await ApiToken.filter(organization_id=organization_id).values_list(
                "id", "user_id", "revoked_at"
            )
        ),
        "emails": sorted(
            await Email.filter(organization_id=organization_id).values_list(
                "id", "metadata", "status", "unread", "external_id"
            )
        ),
        "labels": sorted(await EmailLabel.all().values_list("email_id", "label")),
        "annotations": sorted(
            await Annotation.filter(organization_id=organization_id).values_list(
                "id", "status", "assignee_id", "metadata"
            )
        ),
        "templates": sorted(
            await EmailTemplate.filter(organization_id=organization_id).values_list(
                "id", "name", "subject", "message"
            )
        ),
        "tasks": sorted(
            (str(pk), status)
            for pk, status in await Task.filter(
                organization_id=organization_id
            ).values_list("id", "status")
        ),
    }


# -------------------------------------------------------------------- authorization


@dataclass(frozen=True)
class Gated:
    """A mutation, the least role allowed to run it, and how to call it on the world."""

    name: str
    least_role: Role
    document: str
    variables: Any  # (World) -> dict


GATED = [
    Gated(
        "importEmail",
        Role.ADMIN,
        """mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,
             recipient: "in@acme.example"}) { __typename } }""",
        lambda w: {"raw": base64.b64encode(RAW_MESSAGE).decode()},
    ),
    Gated(
        "createQueue",
        Role.ADMIN,
        'mutation { createQueue(input: {name: "Forbidden"}) { __typename } }',
        lambda w: {},
    ),
    Gated(
        "updateQueue",
        Role.ADMIN,
        """mutation($id: ID!) {
             updateQueue(input: {id: $id, name: "Renamed"}) { __typename } }""",
        lambda w: {"id": w.gid("queue")},
    ),
    Gated(
        "createInbox",
        Role.ADMIN,
        """mutation($q: ID!) {
             createInbox(input: {queue: $q, email: "new@acme.example"}) {
             __typename } }""",
        lambda w: {"q": w.gid("queue")},
    ),
    Gated(
        "updateInbox",
        Role.ADMIN,
        """mutation($id: ID!) { updateInbox(input: {id: $id, name: "Renamed",
             minImageBytes: 99}) { __typename } }""",
        lambda w: {"id": w.gid("inbox")},
    ),
    Gated(
        "createUser",
        Role.ADMIN,
        """mutation { createUser(input: {email: "intruder@acme.example", role: ADMIN}) {
             __typename } }""",
        lambda w: {},
    ),
    Gated(
        "createApiToken",
        Role.ADMIN,
        "mutation($u: ID!) { createApiToken(input: {user: $u}) { __typename } }",
        lambda w: {"u": w.gid("other_user")},
    ),
    Gated(
        "revokeApiToken",
        Role.ADMIN,
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { __typename } }",
        lambda w: {"id": w.gid("other_token")},
    ),
    Gated(
        "deleteEmail",
        Role.MANAGER,
        "mutation($id: ID!) { deleteEmail(input: {id: $id}) { __typename } }",
        lambda w: {"id": w.gid("email")},
    ),
    Gated(
        "createEmailTemplate",
        Role.MANAGER,
        """mutation {
          createEmailTemplate(input: {name: "New", subject: "S"}) { __typename } }""",
        lambda w: {},
    ),
    Gated(
        "updateEmailTemplate",
        Role.MANAGER,
        """mutation($id: ID!) { updateEmailTemplate(input: {id: $id, name: "Renamed",
             subject: "Changed"}) { __typename } }""",
        lambda w: {"id": w.gid("template")},
    ),
    Gated(
        "updateEmail",
        Role.ANNOTATOR,
        """mutation($id: ID!) { updateEmail(input: {id: $id, status: RESOLVED,
             unread: false,
             labels: [REPLY], metadata: {k: 1}, externalId: "X-1"}) { __typename } }""",
        lambda w: {"id": w.gid("email")},
    ),
    Gated(
        "updateAnnotation",
        Role.ANNOTATOR,
        """mutation($id: ID!, $u: ID!) {
             updateAnnotation(input: {id: $id, status: CONFIRMED,
             assignee: $u, metadata: {k: 1}}) { __typename } }""",
        lambda w: {"id": w.gid("annotation"), "u": w.gid("other_user")},
    ),
    Gated(
        "cancelTask",
        Role.ANNOTATOR,
        "mutation($id: ID!) { cancelTask(input: {id: $id}) { __typename } }",
        lambda w: {"id": w.gid("task")},
    ),
]

RANKED = [Role.VIEWER, Role.ANNOTATOR, Role.MANAGER, Role.ADMIN]

FORBIDDEN_CASES = [
    pytest.param(g, role, id=f"{g.name}-{role.value}")
    for g in GATED
    for role in RANKED[: RANKED.index(g.least_role)]
]


@pytest.mark.parametrize(("gated", "role"), FORBIDDEN_CASES)
async def test_a_role_below_the_mutations_is_forbidden_and_changes_nothing(
    admin, one_of_each, gated, role
):
    # given a user whose role is below what the mutation needs, and the database state
    actor = await admin.add_user(role)
    before = await _snapshot(admin.organization_id)
    # when the user runs the mutation on real objects of its organization
    body = await actor.gql(gated.document, gated.variables(one_of_each))
    # then it is a GraphQL error ACCESS_FORBIDDEN (not InputError data) with no data
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"]
    assert body["errors"][0]["path"] == [gated.name]
    # and nothing changed in the database
    assert await _snapshot(admin.organization_id) == before


@pytest.mark.parametrize("gated", GATED, ids=lambda g: f"{g.name}-{g.least_role.value}")
async def test_the_least_role_allowed_runs_the_mutation(admin, one_of_each, gated):
    # given a user with exactly the role the mutation needs
    actor = await admin.add_user(gated.least_role)
    # when the user runs it
    body = await actor.gql(gated.document, gated.variables(one_of_each))
    # then it is not refused (the success type comes back)
    assert "errors" not in body, body["errors"]
    assert body["data"][gated.name]["__typename"] != "InputError", body
