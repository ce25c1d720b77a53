"""Forged, malformed and mistyped global ids: null when read, NOT_FOUND in mutations,
404 in the content routes."""

import base64
import uuid
from urllib.parse import quote

import pytest

from app.core import ids
from app.tasks.models import Task
from tests.graphql.org_world import snapshot
from tests.helpers import auth


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# ---------------------------------------------------------------------- forged ids


FORGED_EMAIL_IDS = [
    pytest.param(_b64("Email:999999"), id="unknown-pk"),
    pytest.param(_b64("Email:abc"), id="non-numeric-pk"),
    pytest.param(_b64("Nope:1"), id="unknown-type"),
    pytest.param(_b64("Email:"), id="empty-pk"),
    pytest.param(_b64("Email:-1"), id="negative-pk"),
    pytest.param(_b64("Email: 1"), id="padded-pk"),
    pytest.param(_b64("Email:1.0"), id="float-pk"),
    pytest.param(_b64("Email:\u0663"), id="non-ascii-digit"),
    pytest.param(_b64("Email:2147483648"), id="pk-beyond-int32"),
    pytest.param(_b64("Email:999999999999"), id="pk-12-digits"),
    pytest.param(_b64("Email:1234567890123456789012"), id="pk-too-long"),
    pytest.param(_b64("Email"), id="no-colon"),
    pytest.param(_b64(":1"), id="no-type"),
    pytest.param("!!not base64!!", id="not-base64"),
    pytest.param("RW1haWw6MQ", id="bad-padding"),
    pytest.param(base64.b64encode(b"\xff\xfe:1").decode(), id="not-utf8"),
    pytest.param("", id="empty"),
    pytest.param("x" * 3000, id="very-long"),
]


@pytest.mark.parametrize("gid", FORGED_EMAIL_IDS)
async def test_forged_ids_read_as_null(org_a, gid):
    # given an organization with emails (so a lucky guess would find one)
    a, _ = org_a
    # when a forged id is asked for, by node, nodes and the typed field
    body = await a.gql(
        """query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id }
             email(id: $id) { id subject } }""",
        {"id": gid},
    )
    # then each answer is null: no error, no data
    assert body == {"data": {"node": None, "nodes": [None], "email": None}}


@pytest.mark.parametrize("gid", FORGED_EMAIL_IDS)
async def test_forged_ids_in_mutations_are_not_found(org_a, gid):
    # given an organization with emails
    a, _ = org_a
    before = await snapshot(a.organization_id)
    # when a mutation names a forged email id
    data = await a.data(
        """mutation($id: ID!) {
             updateEmail(input: {id: $id, unread: false}) {
               __typename ... on InputError { code field } }
             deleteEmail(input: {id: $id}) {
               __typename ... on InputError { code field } } }""",
        {"id": gid},
    )
    # then both answer InputError NOT_FOUND and nothing changes
    expected = {"__typename": "InputError", "code": "NOT_FOUND", "field": "id"}
    assert data == {"updateEmail": expected, "deleteEmail": expected}
    assert await snapshot(a.organization_id) == before


@pytest.mark.parametrize("gid", [p for p in FORGED_EMAIL_IDS if p.id != "empty"])
async def test_forged_ids_in_content_routes_are_404(org_a, client, gid):
    # given an organization with emails and documents
    a, _ = org_a
    # when a forged id is downloaded from any route
    for route in ("emails/{}", "documents/{}", "emails/{}/parts/2"):
        response = await client.get(
            "/content/" + route.format(quote(gid, safe="")), headers=auth(a.token)
        )
        # then it is 404, never a 500 and never bytes
        assert response.status_code == 404, (route, response.text)
        assert b"Please pay" not in response.content


async def test_an_id_of_another_type_is_not_found(org_a):
    # given A's queue, whose global id names the same integer as an email may
    a, world = org_a
    queue_as_email = ids.encode("Queue", world.email.id)
    before = await snapshot(a.organization_id)
    # when it is passed where an Email id is expected
    body = await a.gql(
        """query($id: ID!, $doc: ID!) {
             email(id: $id) { id } emailThread(id: $id) { id }
             document(id: $id) { id } annotation(id: $id) { id } task(id: $id) { id }
             docAsEmail: email(id: $doc) { id } }""",
        {"id": queue_as_email, "doc": world.gid("document")},
    )
    # then the typed fields answer null
    assert body == {
        "data": {
            "email": None,
            "emailThread": None,
            "document": None,
            "annotation": None,
            "task": None,
            "docAsEmail": None,
        }
    }
    # and a mutation answers NOT_FOUND, changing nothing
    data = await a.data(
        """mutation($id: ID!, $e: ID!) {
             e: updateEmail(input: {id: $id, unread: false}) {
               __typename ... on InputError { code field } }
             d: deleteEmail(input: {id: $id}) {
               __typename ... on InputError { code field } }
             q: updateQueue(input: {id: $e, name: "x"}) {
               __typename ... on InputError { code field } }
             t: cancelTask(input: {id: $e}) {
               __typename ... on InputError { code field } }
             a: updateAnnotation(input: {id: $e, assignee: $e}) {
               __typename ... on InputError { code field } } }""",
        {"id": queue_as_email, "e": world.gid("email")},
    )
    not_found = {"__typename": "InputError", "code": "NOT_FOUND"}
    assert {k: {**v, "field": None} for k, v in data.items()} == {
        k: {**not_found, "field": None} for k in data
    }
    assert await snapshot(a.organization_id) == before


@pytest.mark.parametrize(
    "gid",
    [
        pytest.param(_b64("Task:not-a-uuid"), id="not-a-uuid"),
        pytest.param(_b64(f"Task:{uuid.UUID(int=0)}"), id="nil-uuid"),
        pytest.param(_b64("Task:1"), id="integer"),
        pytest.param(_b64(f"Task:{uuid.uuid4()}"), id="unknown-uuid"),
    ],
)
async def test_forged_task_ids_are_null_and_not_found(org_a, gid):
    # given an organization with a task
    a, world = org_a
    # when a forged task id is read and cancelled
    read = await a.gql(
        "query($id: ID!) { task(id: $id) { id } node(id: $id) { id } }", {"id": gid}
    )
    cancel = await a.data(
        """mutation($id: ID!) {
             cancelTask(input: {id: $id}) {
               __typename ... on InputError { code } } }""",
        {"id": gid},
    )
    # then it is null and NOT_FOUND, and the real task is untouched
    assert read == {"data": {"task": None, "node": None}}
    assert cancel == {"cancelTask": {"__typename": "InputError", "code": "NOT_FOUND"}}
    assert (await Task.get(id=world.task.id)).status.value == "QUEUED"
