"""Authentication and authorization at the edges of the API.

Every operation needs a valid bearer token (401 AUTHENTICATION_FAILED otherwise, on
/graphql and on the /content downloads alike); roles gate the mutations
(VIEWER < ANNOTATOR < MANAGER < ADMIN) with a GraphQL error ACCESS_FORBIDDEN that
changes nothing; unexpected failures are masked; invalid documents are BAD_REQUEST.
"""

import base64
import logging
from dataclasses import dataclass
from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Role, User
from app.core import ids
from app.core.blobs import blob_store
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailType, Label
from app.mail.relations import EmailLabel
from app.mail.service import NewEmail, record_email
from app.tasks.models import Task, TaskKind
from app.templates.models import EmailTemplate

VIEWER_QUERY = "{ viewer { email } }"
RAW_MESSAGE = (
    b"From: a@example.com\r\nTo: in@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"
)
DOCUMENT_BYTES = b"%PDF-1.4 auth test document"


# --------------------------------------------------------------------------- helpers


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error_code(body: dict[str, Any]) -> str:
    return body["errors"][0]["extensions"]["code"]


def _assert_authentication_failed(response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["data"] is None
    assert _error_code(body) == "AUTHENTICATION_FAILED"


@dataclass
class World:
    """One of each object of the admin's organization, with global ids."""

    queue: Queue
    inbox: Inbox
    email: Email
    document: Document
    annotation: Annotation
    template: EmailTemplate
    task: Task
    other_user: User
    other_token: ApiToken

    def gid(self, name: str) -> str:
        row = getattr(self, name)
        return ids.encode(type(row).__name__, row.pk)


@pytest.fixture
async def world(admin) -> World:
    queue = await inboxes.create_queue(
        organization_id=admin.organization_id, name="Invoices"
    )
    inbox = await inboxes.create_inbox(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email="in@acme.example",
    )
    store = blob_store()
    email = await record_email(
        NewEmail(
            organization_id=admin.organization_id,
            queue_id=queue.id,
            type=EmailType.INCOMING,
            subject="Invoice 42",
            from_address="supplier@example.com",
            to=[{"email": "in@acme.example", "name": ""}],
            labels=[Label.FORWARDED],
            extra={"inbox_id": inbox.id, "raw_blob_key": store.put(RAW_MESSAGE)},
        )
    )
    document = await Document.create(
        organization_id=admin.organization_id,
        email=email,
        original_file_name="invoice.pdf",
        mime_type="application/pdf",
        size=len(DOCUMENT_BYTES),
        blob_key=store.put(DOCUMENT_BYTES),
    )
    annotation = await Annotation.create(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        document=document,
        email=email,
        email_thread_id=email.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
    )
    template = await EmailTemplate.create(
        organization_id=admin.organization_id,
        name="Thanks",
        subject="Thanks",
        message="<p>Hi</p>",
    )
    task = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL
    )
    other_user = await accounts.create_user(
        organization_id=admin.organization_id,
        email="other@acme.example",
        role=Role.VIEWER,
    )
    other_token, _ = await accounts.create_token(user=other_user, name="other")
    return World(
        queue,
        inbox,
        email,
        document,
        annotation,
        template,
        task,
        other_user,
        other_token,
    )


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


# ------------------------------------------------------------------- authentication


MALFORMED_HEADERS = [
    pytest.param({}, id="missing"),
    pytest.param({"Authorization": ""}, id="empty"),
    pytest.param({"Authorization": "Bearer"}, id="scheme-without-token"),
    pytest.param({"Authorization": "Bearer    "}, id="scheme-with-blank-token"),
    pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="basic-scheme"),
    pytest.param({"Authorization": "Token mr_abcdef"}, id="other-scheme"),
    pytest.param({"Authorization": "mr_abcdef"}, id="token-without-scheme"),
]


@pytest.mark.parametrize("headers", MALFORMED_HEADERS)
async def test_graphql_without_a_usable_authorization_header_is_401(client, headers):
    # given a request whose Authorization header is missing or not "Bearer <token>"
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then it is refused before any execution
    _assert_authentication_failed(response)


async def test_the_real_token_under_a_wrong_scheme_is_401(admin, client):
    # given the admin's valid token sent with another scheme
    headers = {"Authorization": f"Token {admin.token}"}
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then the token is not accepted
    _assert_authentication_failed(response)


async def test_the_bearer_scheme_is_case_insensitive(admin, client):
    # given the admin's token under a lower-case scheme (RFC 7235: schemes are
    # case-insensitive)
    headers = {"Authorization": f"bearer {admin.token}"}
    # when it posts a query
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=headers
    )
    # then it is served
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["email"].startswith("admin-")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("mr_" + "A" * 43, id="well-formed-unknown"),
        pytest.param("not-a-token", id="garbage"),
        pytest.param("x" * 5000, id="very-long"),
    ],
)
async def test_an_unknown_token_is_401(admin, client, token):
    # given an organization with an admin (so tokens exist), and a token no one issued
    # when it is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(token)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_near_miss_of_a_real_token_is_401(admin, client):
    # given the admin's token with its last character changed
    forged = admin.token[:-1] + ("A" if admin.token[-1] != "A" else "B")
    # when it is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(forged)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_token_revoked_through_the_mutation_stops_working(admin, client):
    # given a second token of a viewer, created through the API, that works
    viewer = await admin.add_user(Role.VIEWER)
    created = await admin.data(
        """mutation($user: ID!) { createApiToken(input: {user: $user, name: "ci"}) {
             __typename ... on CreateApiTokenPayload { token apiToken { id } } } }""",
        {"user": ids.encode("User", viewer.user_id)},
    )
    payload = created["createApiToken"]
    assert payload["__typename"] == "CreateApiTokenPayload"
    token = payload["token"]
    ok = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(token)
    )
    assert ok.status_code == 200
    # when the admin revokes it through revokeApiToken
    revoked = await admin.data(
        """mutation($id: ID!) { revokeApiToken(id: $id) {
             __typename ... on ApiToken { revokedAt } } }""",
        {"id": payload["apiToken"]["id"]},
    )
    assert revoked["revokeApiToken"]["revokedAt"] is not None
    # then it is refused on its next use, while the viewer's other token still works
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(token)
    )
    _assert_authentication_failed(response)
    other = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(viewer.token)
    )
    assert other.status_code == 200


async def test_an_admin_revoking_its_own_token_is_locked_out(admin, client):
    # given the admin's own token
    own = await ApiToken.get(user_id=admin.user_id)
    # when the admin revokes it with itself
    body = await admin.data(
        """mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }""",
        {"id": ids.encode("ApiToken", own.id)},
    )
    assert body["revokeApiToken"]["__typename"] == "ApiToken"
    # then the very next request with it is refused
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(admin.token)
    )
    _assert_authentication_failed(response)


async def test_a_token_revoked_through_the_service_stops_working(admin, client):
    # given a viewer whose token works
    viewer = await admin.add_user(Role.VIEWER)
    assert (await viewer.data(VIEWER_QUERY))["viewer"]["email"]
    # when the token is revoked through the service (what `mailroom token revoke` does)
    row = await accounts.revoke_plain_token(viewer.token)
    assert row.revoked_at is not None
    # then it is refused
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(viewer.token)
    )
    _assert_authentication_failed(response)


async def test_using_a_token_records_when_it_was_last_used(admin, client):
    # given a viewer's token that was never used (lastUsedAt null)
    viewer = await admin.add_user(Role.VIEWER)
    row = await ApiToken.get(user_id=viewer.user_id)
    assert row.last_used_at is None
    # when the viewer calls the API with it
    assert (await viewer.data(VIEWER_QUERY))["viewer"]["email"]
    # then the token shows when it was used, to the admin who audits tokens
    data = await admin.data(
        "query($id: ID!) { node(id: $id) { ... on ApiToken { lastUsedAt } } }",
        {"id": ids.encode("ApiToken", row.id)},
    )
    assert data["node"]["lastUsedAt"] is not None
    assert (await ApiToken.get(id=row.id)).last_used_at is not None


async def test_the_token_of_a_deactivated_user_is_401(admin, client):
    # given a viewer whose token works, then deactivated
    viewer = await admin.add_user(Role.VIEWER)
    await User.filter(id=viewer.user_id).update(is_active=False)
    # when the token is used
    response = await client.post(
        "/graphql", json={"query": VIEWER_QUERY}, headers=_auth(viewer.token)
    )
    # then it is refused
    _assert_authentication_failed(response)


async def test_a_get_query_without_a_token_is_401(client):
    # given a GET that is not from a browser (no text/html in Accept)
    # when it carries a query but no token
    response = await client.get(
        "/graphql",
        params={"query": VIEWER_QUERY},
        headers={"Accept": "application/json"},
    )
    # then it is refused like a POST
    _assert_authentication_failed(response)


async def test_graphiql_is_served_to_a_browser_without_a_token(client):
    # given a browser, with no token
    # when it opens /graphql
    response = await client.get(
        "/graphql", headers={"Accept": "text/html,application/xhtml+xml;q=0.9"}
    )
    # then it gets the GraphiQL page
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_does_not_open_a_back_door_for_queries(client):
    # given a browser-like GET that also carries a query, with no token
    response = await client.get(
        "/graphql", params={"query": VIEWER_QUERY}, headers={"Accept": "text/html"}
    )
    # then it gets the page, never query results
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "admin-" not in response.text


@pytest.mark.parametrize("route", ["emails", "documents"])
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="malformed"),
        pytest.param(_auth("mr_" + "A" * 43), id="unknown"),
    ],
)
async def test_content_downloads_without_a_valid_token_are_401(
    world, client, route, headers
):
    # given an existing email and document of the organization
    gid = world.gid("email" if route == "emails" else "document")
    # when they are downloaded without a valid token
    response = await client.get(f"/content/{route}/{gid}", headers=headers)
    # then the download is refused, and no bytes leak
    _assert_authentication_failed(response)
    assert b"Body" not in response.content and DOCUMENT_BYTES not in response.content


@pytest.mark.parametrize("route", ["emails", "documents"])
async def test_content_downloads_with_a_revoked_token_are_401(
    admin, world, client, route
):
    # given a viewer who can download the email and the document
    viewer = await admin.add_user(Role.VIEWER)
    gid = world.gid("email" if route == "emails" else "document")
    ok = await client.get(f"/content/{route}/{gid}", headers=_auth(viewer.token))
    assert ok.status_code == 200
    # when the viewer's token is revoked
    await accounts.revoke_plain_token(viewer.token)
    # then the download is refused
    response = await client.get(f"/content/{route}/{gid}", headers=_auth(viewer.token))
    _assert_authentication_failed(response)


@pytest.mark.parametrize("route", ["emails", "documents"])
async def test_content_auth_is_checked_before_existence(client, route):
    # given no token and an id that does not exist
    gid = ids.encode("Email" if route == "emails" else "Document", 999999)
    # when it is downloaded
    response = await client.get(f"/content/{route}/{gid}")
    # then the answer is 401, not 404 (no probing for ids without a token)
    _assert_authentication_failed(response)


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
        "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }",
        lambda w: {"id": w.gid("other_token")},
    ),
    Gated(
        "deleteEmail",
        Role.MANAGER,
        "mutation($id: ID!) { deleteEmail(id: $id) { __typename } }",
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
        "mutation($id: ID!) { cancelTask(id: $id) { __typename } }",
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
    admin, world, gated, role
):
    # given a user whose role is below what the mutation needs, and the database state
    actor = await admin.add_user(role)
    before = await _snapshot(admin.organization_id)
    # when the user runs the mutation on real objects of its organization
    body = await actor.gql(gated.document, gated.variables(world))
    # then it is a GraphQL error ACCESS_FORBIDDEN (not InputError data) with no data
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"]
    assert body["errors"][0]["path"] == [gated.name]
    # and nothing changed in the database
    assert await _snapshot(admin.organization_id) == before


@pytest.mark.parametrize("gated", GATED, ids=lambda g: f"{g.name}-{g.least_role.value}")
async def test_the_least_role_allowed_runs_the_mutation(admin, world, gated):
    # given a user with exactly the role the mutation needs
    actor = await admin.add_user(gated.least_role)
    # when the user runs it
    body = await actor.gql(gated.document, gated.variables(world))
    # then it is not refused (the success type comes back)
    assert "errors" not in body, body["errors"]
    assert body["data"][gated.name]["__typename"] != "InputError", body


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
        "/graphql", json={"query": document}, headers=_auth(admin.token)
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
        headers=_auth(admin.token),
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
    headers = {**request_kwargs.pop("headers", {}), **_auth(admin.token)}
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


async def test_an_unexpected_failure_is_masked_and_logged(admin, world, caplog):
    # given an email row the API cannot render (a delivery try whose time is garbage:
    # what a bad hand-edit or a buggy migration leaves behind)
    await Email.filter(id=world.email.id).update(
        last_tries=[{"at": "SECRET-not-a-date", "status": "250", "detail": ""}]
    )
    # when a client reads it
    with caplog.at_level(logging.ERROR, logger="mailroom.graphql"):
        body = await admin.gql(
            "query($id: ID!) { email(id: $id) { subject lastTries { at } } }",
            {"id": world.gid("email")},
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
