"""Organizations never see or touch each other's rows.

Organization A owns one of every object; a token of organization B asks for them by
every route the API has: `node`/`nodes` and the typed root fields answer null, the
collections are empty, every mutation naming one of A's objects answers InputError
NOT_FOUND and changes nothing, and the /content downloads answer 404. Forged and
malformed ids behave the same way: null or NOT_FOUND, never a 500, never data.
"""

import base64
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Organization, Role, User
from app.core import ids
from app.core.blobs import blob_store
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, EmailType, Label, ThreadMatchMethod
from app.mail.relations import EmailLabel
from app.mail.service import NewEmail, record_email
from app.tasks.models import Task, TaskKind
from app.templates.models import EmailTemplate

RAW_MESSAGE = (
    b"From: Supplier <supplier@example.com>\r\nTo: in@a.example\r\n"
    b"Subject: Invoice 42\r\nMessage-ID: <m1@example.com>\r\n\r\nPlease pay.\r\n"
)
DOCUMENT_BYTES = b"%PDF-1.4\n% organization A's secret invoice\n"
INLINE_PART_BYTES = b"\x89PNG\r\n\x1a\n organization A's secret logo"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------------------- world


@dataclass
class OrgWorld:
    """One of every object of an organization, by name, with their global ids."""

    organization: Organization
    queue: Queue
    inbox: Inbox
    email: Email
    reply: Email
    thread: EmailThread
    document: Document
    annotation: Annotation
    template: EmailTemplate
    task: Task
    user: User
    token: ApiToken

    def gid(self, name: str) -> str:
        row = getattr(self, name)
        return ids.encode(type(row).__name__, row.pk)

    def all_gids(self) -> dict[str, str]:
        return {name: self.gid(name) for name in NAMES}


NAMES = [
    "organization",
    "queue",
    "inbox",
    "email",
    "reply",
    "thread",
    "document",
    "annotation",
    "template",
    "task",
    "user",
    "token",
]


async def build_world(actor, tag: str) -> OrgWorld:
    """Create one of every object in the actor's organization, through the services
    (and the template through its mutation)."""
    org_id = actor.organization_id
    queue = await inboxes.create_queue(organization_id=org_id, name=f"Queue {tag}")
    inbox = await inboxes.create_inbox(
        organization_id=org_id,
        queue_id=queue.id,
        email=f"in@{tag}.example",
        name=f"Inbox {tag}",
    )
    store = blob_store()
    email = await record_email(
        NewEmail(
            organization_id=org_id,
            queue_id=queue.id,
            type=EmailType.INCOMING,
            subject=f"Invoice {tag}",
            from_address="supplier@example.com",
            from_name="Supplier",
            to=[{"email": f"in@{tag}.example", "name": ""}],
            labels=[Label.FORWARDED],
            extra={
                "inbox_id": inbox.id,
                "raw_blob_key": store.put(RAW_MESSAGE + tag.encode()),
                "metadata": {"owner": tag},
                "message_id": f"<m1@{tag}.example>",
                "parts": [
                    {
                        "partId": "1",
                        "contentType": "text/plain",
                        "size": 12,
                        "outcome": "BODY",
                    },
                    {
                        "partId": "2",
                        "contentType": "image/png",
                        "contentId": "logo",
                        "size": len(INLINE_PART_BYTES),
                        "outcome": "FILTERED_INLINE",
                        "blobKey": store.put(INLINE_PART_BYTES + tag.encode()),
                    },
                ],
            },
        )
    )
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await record_email(
        NewEmail(
            organization_id=org_id,
            queue_id=queue.id,
            type=EmailType.OUTGOING,
            subject=f"Re: Invoice {tag}",
            from_address=f"in@{tag}.example",
            to=[{"email": "supplier@example.com", "name": ""}],
            labels=[Label.REPLY],
            extra={"parent_id": email.id, "creator_id": actor.user_id},
        ),
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO,
    )
    document = await Document.create(
        organization_id=org_id,
        email=email,
        original_file_name=f"invoice-{tag}.pdf",
        mime_type="application/pdf",
        size=len(DOCUMENT_BYTES),
        blob_key=store.put(DOCUMENT_BYTES + tag.encode()),
        metadata={"owner": tag},
    )
    user = await accounts.create_user(
        organization_id=org_id, email=f"annotator@{tag}.example", role=Role.ANNOTATOR
    )
    token, _ = await accounts.create_token(user=user, name=f"token {tag}")
    annotation = await Annotation.create(
        organization_id=org_id,
        queue_id=queue.id,
        document=document,
        email=email,
        email_thread_id=thread.id,
        assignee=user,
        status=AnnotationStatus.TO_REVIEW,
        metadata={"owner": tag},
    )
    created = await actor.data(
        """mutation($q: ID!, $name: String!) {
             createEmailTemplate(input: {name: $name, subject: "Thanks",
                                         message: "<p>Hi</p>",
                                         queue: $q}) {
               __typename ... on EmailTemplate { id } } }""",
        {"q": ids.encode("Queue", queue.id), "name": f"Template {tag}"},
    )
    template_pk = ids.decode(created["createEmailTemplate"]["id"], "EmailTemplate")
    template = await EmailTemplate.get(id=template_pk)
    task = await Task.create(
        id=uuid.uuid4(),
        organization_id=org_id,
        kind=TaskKind.IMPORT_EMAIL,
        email=email,
        creator_id=actor.user_id,
        idempotency_key=f"key-{tag}",
    )
    organization = await Organization.get(id=org_id)
    thread = await EmailThread.get(id=thread.id)
    return OrgWorld(
        organization,
        queue,
        inbox,
        email,
        reply,
        thread,
        document,
        annotation,
        template,
        task,
        user,
        token,
    )


async def snapshot(organization_id: int) -> dict[str, Any]:
    """Every row of an organization, as stored: what must not change."""

    async def rows(model, *columns, **where) -> list[tuple]:
        query = (
            model.filter(**where)
            if where
            else model.filter(organization_id=organization_id)
        )
        found = await query.values_list(*columns)
        return sorted(tuple(str(v) for v in row) for row in found)

    return {
        "organization": await rows(
            Organization, "id", "name", "send_limit", id=organization_id
        ),
        "users": await rows(User, "id", "email", "role", "is_active"),
        "tokens": await rows(ApiToken, "id", "user_id", "name", "revoked_at"),
        "queues": await rows(Queue, "id", "name"),
        "inboxes": await rows(
            Inbox,
            "id",
            "name",
            "email",
            "queue_id",
            "min_image_bytes",
            "accepted_mime_types",
            "allowed_sender_patterns",
        ),
        "threads": await rows(
            EmailThread, "id", "queue_id", "root_email_id", "subject"
        ),
        "emails": await rows(
            Email,
            "id",
            "parent_id",
            "email_thread_id",
            "status",
            "unread",
            "metadata",
            "external_id",
            "subject",
        ),
        "labels": await rows(
            EmailLabel, "email_id", "label", email__organization_id=organization_id
        ),
        "documents": await rows(Document, "id", "email_id", "blob_key", "metadata"),
        "annotations": await rows(
            Annotation, "id", "status", "assignee_id", "metadata", "email_id"
        ),
        "templates": await rows(
            EmailTemplate, "id", "name", "subject", "message", "queue_id"
        ),
        "tasks": await rows(Task, "id", "status", "finished_at"),
    }


@pytest.fixture
async def org_a(make_org):
    """Organization A's admin and its world."""
    actor = await make_org("Org A")
    return actor, await build_world(actor, "a")


@pytest.fixture
async def org_b(make_org):
    """Organization B's admin, owning nothing yet."""
    return await make_org("Org B")


# ------------------------------------------------------------------------ reading


NODE_QUERY = "query($id: ID!) { node(id: $id) { __typename id } }"


async def test_a_sees_its_own_objects_by_node(org_a):
    # given organization A and its objects
    a, world = org_a
    # when A asks for each by global id
    body = await a.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        {"ids": list(world.all_gids().values())},
    )
    # then every one is found (so the nulls B gets below mean something)
    assert "errors" not in body, body
    assert [n["id"] if n else None for n in body["data"]["nodes"]] == list(
        world.all_gids().values()
    )


@pytest.mark.parametrize("name", NAMES)
async def test_node_of_another_organizations_object_is_null(org_a, org_b, name):
    # given an object of organization A
    _, world = org_a
    # when B asks for it by global id
    body = await org_b.gql(NODE_QUERY, {"id": world.gid(name)})
    # then B gets null, not an error that would confirm the object exists
    assert body == {"data": {"node": None}}


async def test_nodes_of_another_organizations_objects_are_all_null(org_a, org_b):
    # given every object of organization A
    _, world = org_a
    gids = list(world.all_gids().values())
    # when B asks for all of them at once
    body = await org_b.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": gids}
    )
    # then every position is null
    assert body == {"data": {"nodes": [None] * len(gids)}}


TYPED_ROOT_FIELDS = ["email", "emailThread", "document", "annotation", "task"]


@pytest.mark.parametrize("field", TYPED_ROOT_FIELDS)
async def test_typed_root_fields_are_null_for_every_id_of_another_organization(
    org_a, org_b, field
):
    # given every global id of organization A (of the field's type and of all others)
    _, world = org_a
    gids = world.all_gids()
    aliases = " ".join(
        f'{name}: {field}(id: "{gid}") {{ __typename id }}'
        for name, gid in gids.items()
    )
    # when B asks the typed root field for each of them
    body = await org_b.gql(f"{{ {aliases} }}")
    # then each one is null
    assert body == {"data": dict.fromkeys(gids)}


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("email", "email"),
        ("emailThread", "thread"),
        ("document", "document"),
        ("annotation", "annotation"),
        ("task", "task"),
    ],
)
async def test_typed_root_fields_find_the_owners_objects(org_a, field, name):
    # given organization A's object
    a, world = org_a
    # when A asks the typed root field for it
    data = await a.data(
        f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": world.gid(name)}
    )
    # then it is found (the control for the test above)
    assert data[field] == {"id": world.gid(name)}


COLLECTIONS = {
    "emails": "emails { totalCount edges { cursor node { id } } }",
    "emailThreads": "emailThreads { totalCount edges { node { id } } }",
    "documents": "documents { totalCount edges { node { id } } }",
    "annotations": "annotations { totalCount edges { node { id } } }",
    "tasks": "tasks { totalCount edges { node { id } } }",
    "queues": "queues { totalCount edges { node { id } } }",
    "inboxes": "inboxes { totalCount edges { node { id } } }",
    "emailTemplates": "emailTemplates { totalCount edges { node { id } } }",
}


@pytest.mark.parametrize("field", COLLECTIONS)
async def test_collections_of_another_organization_are_empty(org_a, org_b, field):
    # given organization A with objects in every collection, and B with none
    # when B lists the collection
    data = await org_b.data(f"{{ {COLLECTIONS[field]} }}")
    # then it is empty
    assert data[field]["totalCount"] == 0
    assert data[field]["edges"] == []


@pytest.mark.parametrize("field", COLLECTIONS)
async def test_collections_list_the_owners_objects(org_a, field):
    # given organization A with objects in every collection
    a, _ = org_a
    # when A lists the collection
    body = await a.gql(f"{{ {COLLECTIONS[field]} }}")
    # then A's rows are there (the control for the test above)
    assert "errors" not in body, body["errors"]
    assert body["data"][field]["totalCount"] >= 1
    assert len(body["data"][field]["edges"]) == body["data"][field]["totalCount"]


async def test_filters_naming_another_organizations_objects_match_nothing(org_a, org_b):
    # given organization A's objects
    _, world = org_a
    # when B filters its collections by them
    data = await org_b.data(
        """query($email: ID!, $queue: ID!, $inbox: ID!, $thread: ID!, $user: ID!) {
             byIds: emails(filter: {ids: [$email]}) { totalCount }
             byQueue: emails(filter: {queue: $queue}) { totalCount }
             byInbox: emails(filter: {inbox: $inbox}) { totalCount }
             byThread: emails(filter: {thread: $thread}) { totalCount }
             byCreator: emails(filter: {creator: $user}) { totalCount }
             bySender: emails(filter: {from: "supplier@example.com"}) { totalCount }
             bySearch: emails(filter: {search: "Invoice"}) { totalCount }
             threads: emailThreads(filter: {queue: $queue}) { totalCount }
             documents(filter: {email: $email}) { totalCount }
             annotations(filter: {email: $email, queue: $queue}) { totalCount }
             inboxes(filter: {queue: $queue}) { totalCount } }""",
        {
            "email": world.gid("email"),
            "queue": world.gid("queue"),
            "inbox": world.gid("inbox"),
            "thread": world.gid("thread"),
            "user": world.gid("user"),
        },
    )
    # then every filter matches nothing
    assert {k: v["totalCount"] for k, v in data.items()} == dict.fromkeys(data, 0)


async def test_a_cursor_from_another_organization_pages_only_over_ones_own(
    org_a, org_b
):
    # given a cursor A got from its own email list, and B owning an email
    a, _ = org_a
    cursor = (await a.data("{ emails(first: 1) { edges { cursor } } }"))["emails"][
        "edges"
    ][0]["cursor"]
    b_world = await build_world(org_b, "b")
    # when B pages with it
    data = await org_b.data(
        "query($c: String!) { emails(after: $c, first: 50) { edges { node { id } } } }",
        {"c": cursor},
    )
    # then B only ever gets its own emails
    own = {b_world.gid("email"), b_world.gid("reply")}
    assert {e["node"]["id"] for e in data["emails"]["edges"]} <= own


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
        "mutation($id: ID!) { revokeApiToken(id: $id) { ...R } }",
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
        "mutation($id: ID!) { deleteEmail(id: $id) { ...R } }",
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
        "mutation($id: ID!) { cancelTask(id: $id) { ...R } }",
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
             cancelTask(id: $t) { __typename ... on Task { status } }
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
        headers=_auth(token),
    )
    # then it is null
    assert response.json() == {"data": {"email": None}}


# ------------------------------------------------------------------------ content


@pytest.mark.parametrize(
    ("route", "name"), [("emails", "email"), ("documents", "document")]
)
async def test_content_of_another_organization_is_404(
    org_a, org_b, client, route, name
):
    # given A's email and document
    _, world = org_a
    # when B downloads them
    response = await client.get(
        f"/content/{route}/{world.gid(name)}", headers=_auth(org_b.token)
    )
    # then it is 404 NOT_FOUND (as if it did not exist), with none of the bytes
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert b"Please pay" not in response.content and b"secret" not in response.content


async def test_inline_parts_of_another_organization_are_404(org_a, org_b, client):
    # given A's email with an inline image part
    a, world = org_a
    path = f"/content/emails/{world.gid('email')}/parts/2"
    assert (await client.get(path, headers=_auth(a.token))).status_code == 200
    # when B (and then no one) downloads the part
    as_b = await client.get(path, headers=_auth(org_b.token))
    anonymous = await client.get(path)
    # then B gets 404 and the anonymous caller 401, neither any bytes
    assert as_b.status_code == 404
    assert as_b.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert anonymous.status_code == 401
    assert b"secret" not in as_b.content + anonymous.content


async def test_the_owner_downloads_an_inline_part(org_a, client):
    # given A's email with an inline image part
    a, world = org_a
    # when A downloads it, and a part that does not exist
    response = await client.get(
        f"/content/emails/{world.gid('email')}/parts/2", headers=_auth(a.token)
    )
    missing = await client.get(
        f"/content/emails/{world.gid('email')}/parts/9", headers=_auth(a.token)
    )
    bodyless = await client.get(
        f"/content/emails/{world.gid('email')}/parts/1", headers=_auth(a.token)
    )
    # then it gets the part's bytes, typed and not sniffable; the others are 404
    assert response.status_code == 200
    assert response.content == INLINE_PART_BYTES + b"a"
    assert response.headers["content-type"].startswith("image/png")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404 and bodyless.status_code == 404


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


async def test_the_owner_downloads_the_raw_email(org_a, client):
    # given A's email, stored with its raw message
    a, world = org_a
    # when A downloads it with the contentUrl the API gives
    data = await a.data(
        "query($id: ID!) { email(id: $id) { contentUrl } }", {"id": world.gid("email")}
    )
    path = "/" + data["email"]["contentUrl"].split("/", 3)[3]
    assert path == f"/content/emails/{world.gid('email')}"
    response = await client.get(path, headers=_auth(a.token))
    # then it gets the exact bytes as a message/rfc822 attachment
    assert response.status_code == 200
    assert response.content == RAW_MESSAGE + b"a"
    assert response.headers["content-type"].startswith("message/rfc822")
    assert response.headers["content-disposition"].startswith("attachment")
    assert f"email-{world.email.id}.eml" in response.headers["content-disposition"]


async def test_the_owner_downloads_the_document(org_a, client):
    # given A's document
    a, world = org_a
    # when A downloads it with the contentUrl the API gives
    data = await a.data(
        "query($id: ID!) { document(id: $id) { contentUrl } }",
        {"id": world.gid("document")},
    )
    path = "/" + data["document"]["contentUrl"].split("/", 3)[3]
    response = await client.get(path, headers=_auth(a.token))
    # then it gets the exact bytes, as an attachment of the stored type, not sniffable
    assert response.status_code == 200
    assert response.content == DOCUMENT_BYTES + b"a"
    assert response.headers["content-type"].startswith("application/pdf")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="invoice-a.pdf"' in disposition
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_hostile_file_name_cannot_break_the_download_headers(org_a, client):
    # given a document whose stored name carries quotes, CR/LF and non-ASCII text
    a, world = org_a
    await Document.filter(id=world.document.id).update(
        original_file_name='fa"ctura\r\nX-Injected: 1 \u00fc.pdf'
    )
    # when the owner downloads it
    response = await client.get(
        f"/content/documents/{world.gid('document')}", headers=_auth(a.token)
    )
    # then it is still one attachment, and no header was smuggled in
    assert response.status_code == 200
    assert "x-injected" not in response.headers
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert "\r" not in disposition and "\n" not in disposition


async def test_a_document_id_is_not_an_email_id_for_content(org_a, client):
    # given A's document and email global ids, swapped between the two routes
    a, world = org_a
    # when A downloads them from the wrong routes
    as_email = await client.get(
        f"/content/emails/{world.gid('document')}", headers=_auth(a.token)
    )
    as_document = await client.get(
        f"/content/documents/{world.gid('email')}", headers=_auth(a.token)
    )
    # then both are 404 (a Document:N id never reads Email N)
    assert as_email.status_code == 404 and as_document.status_code == 404


async def test_an_email_whose_raw_blob_is_gone_is_404(org_a, client):
    # given A's reply, which has no stored raw message
    a, world = org_a
    # when A downloads it
    response = await client.get(
        f"/content/emails/{world.gid('reply')}", headers=_auth(a.token)
    )
    # then it is 404, not a 500
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


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
             deleteEmail(id: $id) { __typename ... on InputError { code field } } }""",
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
            "/content/" + route.format(quote(gid, safe="")), headers=_auth(a.token)
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
             d: deleteEmail(id: $id) { __typename ... on InputError { code field } }
             q: updateQueue(input: {id: $e, name: "x"}) {
               __typename ... on InputError { code field } }
             t: cancelTask(id: $e) { __typename ... on InputError { code field } }
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
             cancelTask(id: $id) { __typename ... on InputError { code } } }""",
        {"id": gid},
    )
    # then it is null and NOT_FOUND, and the real task is untouched
    assert read == {"data": {"task": None, "node": None}}
    assert cancel == {"cancelTask": {"__typename": "InputError", "code": "NOT_FOUND"}}
    assert (await Task.get(id=world.task.id)).status.value == "QUEUED"
