"""The synchronous mutations: what they store, and the InputErrors a caller can fix.

Every mutation answers a union of its success type and InputError {code field message};
clients switch on __typename. Each test posts real GraphQL documents over HTTP and reads
the stored rows back with the ORM.
"""

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from app.accounts.models import ApiToken, Role, User
from app.accounts.tokens import hash_token
from app.core import ids
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import (
    Email,
    EmailStatus,
    EmailThread,
    EmailType,
    Label,
    ThreadMatchMethod,
)
from app.mail.relations import EmailLabel
from app.mail.service import NewEmail, record_email
from app.tasks.models import Task, TaskKind, TaskStatus
from app.templates.models import EmailTemplate

ERROR = "... on InputError { code field message }"


def gid(row: Any) -> str:
    return ids.encode(type(row).__name__, row.pk)


async def run(actor, document: str, variables: dict[str, Any] | None = None) -> dict:
    """Post a one-mutation document; return that mutation's result object."""
    data = await actor.data(document, variables)
    [result] = data.values()
    return result


def assert_input_error(result: dict, code: str, field: str | None) -> None:
    assert result["__typename"] == "InputError", result
    assert (result["code"], result["field"]) == (code, field), result
    assert result["message"]


async def labels_of(email: Email) -> list[str]:
    return sorted(
        await EmailLabel.filter(email_id=email.id).values_list("label", flat=True)
    )


@pytest.fixture
async def queue(admin) -> Queue:
    return await inboxes.create_queue(
        organization_id=admin.organization_id, name="Invoices"
    )


@pytest.fixture
async def inbox(admin, queue) -> Inbox:
    return await inboxes.create_inbox(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email="in@acme.example",
        name="Main",
    )


async def new_email(
    admin,
    queue,
    *,
    subject="Invoice 42",
    thread=None,
    parent=None,
    labels=(Label.FORWARDED,),
    **extra,
) -> Email:
    if parent is not None:
        extra["parent_id"] = parent.id
    return await record_email(
        NewEmail(
            organization_id=admin.organization_id,
            queue_id=queue.id,
            type=EmailType.INCOMING,
            subject=subject,
            from_address="supplier@example.com",
            to=[{"email": "in@acme.example", "name": ""}],
            labels=list(labels),
            extra=extra,
        ),
        thread=thread,
        match_method=ThreadMatchMethod.IN_REPLY_TO
        if thread
        else ThreadMatchMethod.NEW_THREAD,
    )


@pytest.fixture
async def email(admin, queue) -> Email:
    return await new_email(admin, queue, metadata={"source": "test"})


# -------------------------------------------------------------------------- queues


CREATE_QUEUE = f"""mutation($name: String!) {{ createQueue(input: {{name: $name}}) {{
  __typename ... on Queue {{ id name inboxes {{ id }} }} {ERROR} }} }}"""
UPDATE_QUEUE = f"""mutation($id: ID!, $name: String) {{
  updateQueue(input: {{id: $id, name: $name}}) {{
    __typename ... on Queue {{ id name }} {ERROR} }} }}"""


async def test_create_queue_stores_a_trimmed_name(admin):
    # when an admin creates a queue
    result = await run(admin, CREATE_QUEUE, {"name": "  Invoices  "})
    # then it comes back as a Queue, and is stored in the admin's organization
    assert result["__typename"] == "Queue"
    assert result["name"] == "Invoices" and result["inboxes"] == []
    row = await Queue.get(id=ids.decode(result["id"], "Queue"))
    assert (row.name, row.organization_id) == ("Invoices", admin.organization_id)


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 201], ids=["empty", "blank", "too-long"]
)
async def test_create_queue_refuses_a_bad_name(admin, name):
    # when an admin creates a queue with a name that is empty or too long
    result = await run(admin, CREATE_QUEUE, {"name": name})
    # then it is an InputError on "name", and no queue exists
    assert_input_error(result, "BAD_REQUEST", "name")
    assert await Queue.filter(organization_id=admin.organization_id).count() == 0


async def test_update_queue_renames_it(admin, queue):
    # when the admin renames the queue
    result = await run(admin, UPDATE_QUEUE, {"id": gid(queue), "name": "Receipts"})
    # then the new name is returned and stored
    assert result == {"__typename": "Queue", "id": gid(queue), "name": "Receipts"}
    assert (await Queue.get(id=queue.id)).name == "Receipts"


async def test_update_queue_without_a_name_changes_nothing(admin, queue):
    # when the admin updates the queue giving no name
    result = await run(admin, UPDATE_QUEUE, {"id": gid(queue), "name": None})
    # then the queue is returned as it was
    assert result["name"] == "Invoices"
    assert (await Queue.get(id=queue.id)).name == "Invoices"


@pytest.mark.parametrize("name", ["", "  \t "], ids=["empty", "blank"])
async def test_update_queue_refuses_an_empty_name(admin, queue, name):
    # when the admin renames the queue to nothing
    result = await run(admin, UPDATE_QUEUE, {"id": gid(queue), "name": name})
    # then it is an InputError on "name", and the name is unchanged
    assert_input_error(result, "BAD_REQUEST", "name")
    assert (await Queue.get(id=queue.id)).name == "Invoices"


async def test_update_queue_of_an_unknown_id_is_not_found(admin):
    result = await run(
        admin, UPDATE_QUEUE, {"id": ids.encode("Queue", 424242), "name": "X"}
    )
    assert_input_error(result, "NOT_FOUND", "id")


# ------------------------------------------------------------------------- inboxes


INBOX_FIELDS = """id name email acceptedMimeTypes minImageBytes rejectWithoutDocuments
  allowedSenderPatterns queue { id }"""
CREATE_INBOX = f"""mutation($input: CreateInboxInput!) {{ createInbox(input: $input) {{
  __typename ... on Inbox {{ {INBOX_FIELDS} }} {ERROR} }} }}"""
UPDATE_INBOX = f"""mutation($input: UpdateInboxInput!) {{ updateInbox(input: $input) {{
  __typename ... on Inbox {{ {INBOX_FIELDS} }} {ERROR} }} }}"""


async def test_create_inbox_stores_its_settings(admin, queue):
    # when an admin creates an inbox with every setting
    result = await run(
        admin,
        CREATE_INBOX,
        {
            "input": {
                "queue": gid(queue),
                "email": "  Invoices@ACME.Example ",
                "name": "AP",
                "acceptedMimeTypes": ["Application/PDF", "image/*", "application/pdf"],
                "minImageBytes": 2048,
                "rejectWithoutDocuments": True,
                "allowedSenderPatterns": ["*@Supplier.example"],
            }
        },
    )
    # then the address is normalized (trimmed, lower-cased), the types de-duplicated
    assert result["__typename"] == "Inbox", result
    assert result["email"] == "invoices@acme.example"
    assert result["acceptedMimeTypes"] == ["application/pdf", "image/*"]
    assert result["allowedSenderPatterns"] == ["*@supplier.example"]
    assert (
        result["name"],
        result["minImageBytes"],
        result["rejectWithoutDocuments"],
    ) == ("AP", 2048, True)
    assert result["queue"] == {"id": gid(queue)}
    # and stored so
    row = await Inbox.get(id=ids.decode(result["id"], "Inbox"))
    assert (row.email, row.queue_id, row.organization_id) == (
        "invoices@acme.example",
        queue.id,
        admin.organization_id,
    )
    assert row.accepted_mime_types == ["application/pdf", "image/*"]
    assert (row.min_image_bytes, row.reject_without_documents) == (2048, True)


async def test_create_inbox_defaults_accept_everything(admin, queue):
    # when an admin creates an inbox with only its queue and address
    result = await run(
        admin, CREATE_INBOX, {"input": {"queue": gid(queue), "email": "x@acme.example"}}
    )
    # then it accepts every type, every sender, every image size
    assert result["__typename"] == "Inbox"
    assert (
        result["acceptedMimeTypes"],
        result["allowedSenderPatterns"],
        result["minImageBytes"],
        result["rejectWithoutDocuments"],
    ) == ([], [], 0, False)


@pytest.mark.parametrize(
    "address",
    [
        "not-an-address",
        "@acme.example",
        "in@localhost",
        "in@acme.example\r\nBcc: x@y.z",
        "two@acme.example, three@acme.example",
        "",
        "Name <in@acme.example>",
    ],
)
async def test_create_inbox_refuses_a_bad_address(admin, queue, address):
    # when an admin creates an inbox with an address that is not one bare address
    result = await run(
        admin, CREATE_INBOX, {"input": {"queue": gid(queue), "email": address}}
    )
    # then it is an InputError on "email", and no inbox exists
    assert_input_error(result, "BAD_REQUEST", "email")
    assert await Inbox.all().count() == 0


async def test_create_inbox_refuses_a_taken_address_whatever_its_case(
    admin, inbox, queue
):
    # given an inbox in@acme.example
    # when another is created for IN@Acme.example
    result = await run(
        admin,
        CREATE_INBOX,
        {"input": {"queue": gid(queue), "email": "IN@Acme.example"}},
    )
    # then it is a CONFLICT on "email", and the first inbox is the only one
    assert_input_error(result, "CONFLICT", "email")
    assert await Inbox.all().values_list("id", flat=True) == [inbox.id]


async def test_inbox_addresses_are_unique_across_organizations(admin, inbox, make_org):
    # given organization Acme's inbox in@acme.example, and another organization
    other = await make_org("Other")
    other_queue = await inboxes.create_queue(
        organization_id=other.organization_id, name="Q"
    )
    # when the other organization claims the same address (imports route by address)
    result = await run(
        other,
        CREATE_INBOX,
        {"input": {"queue": gid(other_queue), "email": "in@acme.example"}},
    )
    # then it is a CONFLICT
    assert_input_error(result, "CONFLICT", "email")
    assert await Inbox.filter(organization_id=other.organization_id).count() == 0


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"acceptedMimeTypes": ["pdf"]}, "acceptedMimeTypes"),
        ({"acceptedMimeTypes": ["application/"]}, "acceptedMimeTypes"),
        (
            {"acceptedMimeTypes": ["application/pdf", "text/plain; charset=utf-8"]},
            "acceptedMimeTypes",
        ),
        ({"acceptedMimeTypes": [""]}, "acceptedMimeTypes"),
        ({"minImageBytes": -1}, "minImageBytes"),
        ({"allowedSenderPatterns": ["  "]}, "allowedSenderPatterns"),
        ({"name": "x" * 201}, "name"),
    ],
    ids=[
        "no-slash",
        "no-subtype",
        "with-parameters",
        "empty-type",
        "negative-min-bytes",
        "blank-sender-pattern",
        "long-name",
    ],
)
async def test_create_inbox_refuses_bad_settings(admin, queue, bad, field):
    # when an admin creates an inbox with one bad setting
    result = await run(
        admin,
        CREATE_INBOX,
        {"input": {"queue": gid(queue), "email": "new@acme.example", **bad}},
    )
    # then it is an InputError naming that setting, and no inbox exists
    assert_input_error(result, "BAD_REQUEST", field)
    assert await Inbox.all().count() == 0


async def test_create_inbox_in_an_unknown_queue_is_not_found(admin):
    result = await run(
        admin,
        CREATE_INBOX,
        {"input": {"queue": ids.encode("Queue", 424242), "email": "new@acme.example"}},
    )
    assert_input_error(result, "NOT_FOUND", "queue")
    assert await Inbox.all().count() == 0


async def test_update_inbox_changes_only_what_is_given(admin, inbox):
    # given a second queue
    other = await inboxes.create_queue(
        organization_id=admin.organization_id, name="Other"
    )
    # when the admin moves the inbox there and changes two settings
    result = await run(
        admin,
        UPDATE_INBOX,
        {
            "input": {
                "id": gid(inbox),
                "queue": gid(other),
                "minImageBytes": 4096,
                "acceptedMimeTypes": ["application/pdf"],
            }
        },
    )
    # then those change, the rest stays
    assert result["__typename"] == "Inbox", result
    assert result["queue"] == {"id": gid(other)}
    assert (result["minImageBytes"], result["acceptedMimeTypes"]) == (
        4096,
        ["application/pdf"],
    )
    assert (result["name"], result["email"], result["rejectWithoutDocuments"]) == (
        "Main",
        "in@acme.example",
        False,
    )
    row = await Inbox.get(id=inbox.id)
    assert (row.queue_id, row.min_image_bytes, row.accepted_mime_types, row.name) == (
        other.id,
        4096,
        ["application/pdf"],
        "Main",
    )


async def test_update_inbox_can_clear_its_lists(admin, queue):
    # given an inbox restricted to PDFs from one supplier
    inbox = await inboxes.create_inbox(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email="r@acme.example",
        accepted_mime_types=["application/pdf"],
        allowed_sender_patterns=["*@s.example"],
        reject_without_documents=True,
    )
    # when both lists are set empty and rejection turned off
    result = await run(
        admin,
        UPDATE_INBOX,
        {
            "input": {
                "id": gid(inbox),
                "acceptedMimeTypes": [],
                "allowedSenderPatterns": [],
                "rejectWithoutDocuments": False,
            }
        },
    )
    # then it accepts everything again
    assert (
        result["acceptedMimeTypes"],
        result["allowedSenderPatterns"],
        result["rejectWithoutDocuments"],
    ) == ([], [], False)
    row = await Inbox.get(id=inbox.id)
    assert (
        row.accepted_mime_types,
        row.allowed_sender_patterns,
        row.reject_without_documents,
    ) == ([], [], False)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"minImageBytes": -5, "name": "Renamed"}, "minImageBytes"),
        ({"acceptedMimeTypes": ["nonsense"], "name": "Renamed"}, "acceptedMimeTypes"),
        ({"name": "   "}, "name"),
        ({"queue": ids.encode("Queue", 424242), "name": "Renamed"}, "queue"),
    ],
    ids=["negative-min-bytes", "bad-mime", "blank-name", "unknown-queue"],
)
async def test_update_inbox_with_a_bad_setting_changes_nothing(
    admin, inbox, bad, field
):
    # when an update carries one bad setting next to a good one
    result = await run(admin, UPDATE_INBOX, {"input": {"id": gid(inbox), **bad}})
    # then it is an InputError on that setting, and the good one is not applied either
    code = "NOT_FOUND" if field == "queue" else "BAD_REQUEST"
    assert_input_error(result, code, field)
    row = await Inbox.get(id=inbox.id)
    assert (row.name, row.min_image_bytes, row.accepted_mime_types, row.queue_id) == (
        "Main",
        0,
        [],
        inbox.queue_id,
    )


# --------------------------------------------------------------------------- users


CREATE_USER = f"""mutation($input: CreateUserInput!) {{ createUser(input: $input) {{
  __typename ... on User {{ id email fullName role isActive organization {{ id }} }}
  {ERROR} }} }}"""


async def test_create_user_stores_role_and_normalized_email(admin):
    # when an admin creates a manager
    result = await run(
        admin,
        CREATE_USER,
        {
            "input": {
                "email": " Jane.Doe@Acme.Example ",
                "fullName": "Jane Doe",
                "role": "MANAGER",
            }
        },
    )
    # then the user comes back in the admin's organization, with a lower-cased email
    assert result["__typename"] == "User", result
    assert (
        result["email"],
        result["fullName"],
        result["role"],
        result["isActive"],
    ) == ("jane.doe@acme.example", "Jane Doe", "MANAGER", True)
    assert result["organization"]["id"] == ids.encode(
        "Organization", admin.organization_id
    )
    row = await User.get(id=ids.decode(result["id"], "User"))
    assert (row.email, row.role, row.organization_id) == (
        "jane.doe@acme.example",
        Role.MANAGER,
        admin.organization_id,
    )


async def test_create_user_defaults_to_viewer(admin):
    result = await run(admin, CREATE_USER, {"input": {"email": "v@acme.example"}})
    assert result["role"] == "VIEWER"
    assert (await User.get(email="v@acme.example")).role == Role.VIEWER


async def test_create_user_refuses_a_taken_email_whatever_its_case(admin):
    # given a user jane@acme.example
    first = await run(admin, CREATE_USER, {"input": {"email": "jane@acme.example"}})
    assert first["__typename"] == "User"
    # when another is created as JANE@acme.example
    result = await run(
        admin, CREATE_USER, {"input": {"email": "JANE@acme.example", "role": "ADMIN"}}
    )
    # then it is a CONFLICT on "email", and the first user keeps its role
    assert_input_error(result, "CONFLICT", "email")
    assert await User.filter(email="jane@acme.example").values_list(
        "role", flat=True
    ) == [Role.VIEWER]


@pytest.mark.parametrize(
    "address", ["jane", "jane@", "jane@acme", "", "a@b.c\nBcc: x@y.z"]
)
async def test_create_user_refuses_a_bad_email(admin, address):
    before = await User.all().count()
    result = await run(admin, CREATE_USER, {"input": {"email": address}})
    assert_input_error(result, "BAD_REQUEST", "email")
    assert await User.all().count() == before


async def test_create_user_refuses_an_unknown_role(admin):
    # when a role outside the enum is sent
    body = await admin.gql(
        'mutation { createUser(input: {email: "x@acme.example", role: OWNER}) '
        "{ __typename } }"
    )
    # then the document does not validate
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert not await User.filter(email="x@acme.example").exists()


# -------------------------------------------------------------------------- tokens


CREATE_TOKEN = f"""mutation($user: ID!, $name: String!) {{
  createApiToken(input: {{user: $user, name: $name}}) {{
    __typename ... on CreateApiTokenPayload {{
      token apiToken {{ id name prefix revokedAt user {{ id }} }} }}
    {ERROR} }} }}"""
REVOKE_TOKEN = f"""mutation($id: ID!) {{ revokeApiToken(id: $id) {{
  __typename ... on ApiToken {{ id revokedAt }} {ERROR} }} }}"""


async def test_create_api_token_returns_a_working_token_shown_once(admin, client):
    # given a viewer of the organization
    viewer = await admin.add_user(Role.VIEWER)
    # when the admin creates a token for the viewer
    result = await run(
        admin, CREATE_TOKEN, {"user": ids.encode("User", viewer.user_id), "name": "CI"}
    )
    # then the plain token comes back once, with its metadata
    assert result["__typename"] == "CreateApiTokenPayload", result
    token = result["token"]
    api_token = result["apiToken"]
    assert api_token["name"] == "CI" and api_token["revokedAt"] is None
    assert api_token["user"] == {"id": ids.encode("User", viewer.user_id)}
    assert token.startswith(api_token["prefix"]) and len(api_token["prefix"]) < len(
        token
    )
    # and only its hash is stored
    row = await ApiToken.get(id=ids.decode(api_token["id"], "ApiToken"))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    # and it authenticates as the viewer
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { id role } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["viewer"] == {
        "id": ids.encode("User", viewer.user_id),
        "role": "VIEWER",
    }


async def test_every_created_token_is_different(admin):
    user = ids.encode("User", admin.user_id)
    first = await run(admin, CREATE_TOKEN, {"user": user, "name": "a"})
    second = await run(admin, CREATE_TOKEN, {"user": user, "name": "a"})
    assert first["token"] != second["token"]


async def test_create_api_token_for_an_unknown_user_is_not_found(admin):
    result = await run(
        admin, CREATE_TOKEN, {"user": ids.encode("User", 424242), "name": ""}
    )
    assert_input_error(result, "NOT_FOUND", "user")
    assert await ApiToken.all().count() == 1


async def test_revoke_api_token_marks_it_revoked_once(admin):
    # given a viewer's token
    viewer = await admin.add_user(Role.VIEWER)
    row = await ApiToken.get(user_id=viewer.user_id)
    # when the admin revokes it, twice
    first = await run(admin, REVOKE_TOKEN, {"id": gid(row)})
    second = await run(admin, REVOKE_TOKEN, {"id": gid(row)})
    # then it is revoked, and the second call keeps the first revocation time
    assert first["__typename"] == "ApiToken" and first["revokedAt"] is not None
    assert second["revokedAt"] == first["revokedAt"]
    assert (await ApiToken.get(id=row.id)).revoked_at is not None
    # and the admin's own token is untouched
    assert (await ApiToken.get(user_id=admin.user_id)).revoked_at is None


async def test_revoke_api_token_of_an_unknown_id_is_not_found(admin):
    result = await run(admin, REVOKE_TOKEN, {"id": ids.encode("ApiToken", 424242)})
    assert_input_error(result, "NOT_FOUND", "id")


# -------------------------------------------------------------------------- emails


UPDATE_EMAIL = f"""mutation($input: UpdateEmailInput!) {{ updateEmail(input: $input) {{
  __typename ... on Email {{ id labels metadata status unread externalId dismissedAt }}
  {ERROR} }} }}"""


async def _email_state(email: Email) -> tuple:
    row = await Email.get(id=email.id)
    return (
        row.metadata,
        row.status,
        row.unread,
        row.external_id,
        await labels_of(email),
    )


async def test_update_email_labels_replace_the_old_ones(admin, email):
    # given an email labelled FORWARDED
    assert await labels_of(email) == ["FORWARDED"]
    # when its labels are set to REPLY and REJECTED (REPLY twice)
    result = await run(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid(email), "labels": ["REPLY", "REJECTED", "REPLY"]}},
    )
    # then it has exactly those, and nothing else changed
    assert result["__typename"] == "Email", result
    assert sorted(result["labels"]) == ["REJECTED", "REPLY"]
    assert await labels_of(email) == ["REJECTED", "REPLY"]
    assert result["metadata"] == {"source": "test"} and result["unread"] is True


async def test_update_email_with_no_labels_clears_them_and_null_keeps_them(
    admin, email
):
    kept = await run(admin, UPDATE_EMAIL, {"input": {"id": gid(email), "labels": None}})
    assert kept["labels"] == ["FORWARDED"]
    cleared = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "labels": []}}
    )
    assert cleared["labels"] == []
    assert await labels_of(email) == []


async def test_update_email_metadata_replaces_it(admin, email):
    # when metadata is set to 50 keys (the limit)
    metadata = {f"k{i}": {"nested": [i]} for i in range(50)}
    result = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "metadata": metadata}}
    )
    # then it replaces the old metadata entirely
    assert result["metadata"] == metadata
    assert (await Email.get(id=email.id)).metadata == metadata


async def test_update_email_metadata_over_50_keys_changes_nothing(admin, email):
    # given the email's state
    before = await _email_state(email)
    # when 51 metadata keys are sent along with other changes
    result = await run(
        admin,
        UPDATE_EMAIL,
        {
            "input": {
                "id": gid(email),
                "metadata": {f"k{i}": i for i in range(51)},
                "labels": ["REPLY"],
                "unread": False,
                "status": "RESOLVED",
                "externalId": "X",
            }
        },
    )
    # then it is an InputError on "metadata", and none of the changes is applied
    assert_input_error(result, "BAD_REQUEST", "metadata")
    assert await _email_state(email) == before


@pytest.mark.parametrize(
    "metadata", [[1, 2], "text", 7, True], ids=["list", "string", "number", "boolean"]
)
async def test_update_email_metadata_must_be_an_object(admin, email, metadata):
    before = await _email_state(email)
    result = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "metadata": metadata}}
    )
    assert_input_error(result, "BAD_REQUEST", "metadata")
    assert await _email_state(email) == before


async def test_update_email_resolves_and_unresolves(admin, email):
    # when the email is resolved
    resolved = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "status": "RESOLVED"}}
    )
    # then it is stored RESOLVED
    assert resolved["status"] == "RESOLVED"
    assert (await Email.get(id=email.id)).status == EmailStatus.RESOLVED
    # and when it is set back to UNRESOLVED, it is
    reopened = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "status": "UNRESOLVED"}}
    )
    assert reopened["status"] == "UNRESOLVED"
    assert (await Email.get(id=email.id)).status == EmailStatus.UNRESOLVED


async def test_update_email_resolving_a_dismissed_email_clears_the_dismissal(
    admin, email
):
    # given a dismissed email
    await Email.filter(id=email.id).update(
        status=EmailStatus.DISMISSED,
        dismissed_at=datetime.now(UTC),
        dismissed_by_id=admin.user_id,
    )
    # when it is set UNRESOLVED
    result = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "status": "UNRESOLVED"}}
    )
    # then it is no longer dismissed
    assert (result["status"], result["dismissedAt"]) == ("UNRESOLVED", None)
    row = await Email.get(id=email.id)
    assert (row.status, row.dismissed_at, row.dismissed_by_id) == (
        EmailStatus.UNRESOLVED,
        None,
        None,
    )


async def test_update_email_refuses_to_dismiss(admin, email):
    # when DISMISSED is set through updateEmail (dismissEmail is the way)
    result = await run(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid(email), "status": "DISMISSED", "unread": False}},
    )
    # then it is an InputError on "status", and nothing changes
    assert_input_error(result, "BAD_REQUEST", "status")
    row = await Email.get(id=email.id)
    assert (row.status, row.unread) == (EmailStatus.UNRESOLVED, True)


async def test_update_email_marks_read_and_unread(admin, email):
    read = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "unread": False}}
    )
    assert read["unread"] is False
    assert (await Email.get(id=email.id)).unread is False
    unread = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "unread": True}}
    )
    assert unread["unread"] is True
    assert (await Email.get(id=email.id)).unread is True


async def test_update_email_sets_and_clears_the_external_id(admin, email):
    # when an external id is set
    result = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "externalId": "CRM-1234"}}
    )
    assert result["externalId"] == "CRM-1234"
    assert (await Email.get(id=email.id)).external_id == "CRM-1234"
    # and when an empty one is set, it is cleared
    cleared = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "externalId": ""}}
    )
    assert cleared["externalId"] is None
    assert (await Email.get(id=email.id)).external_id is None


async def test_update_email_refuses_a_too_long_external_id(admin, email):
    result = await run(
        admin, UPDATE_EMAIL, {"input": {"id": gid(email), "externalId": "x" * 201}}
    )
    assert_input_error(result, "BAD_REQUEST", "externalId")
    assert (await Email.get(id=email.id)).external_id is None


async def test_an_annotator_may_update_an_email(admin, email):
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await run(
        annotator, UPDATE_EMAIL, {"input": {"id": gid(email), "unread": False}}
    )
    assert result["__typename"] == "Email"


DELETE_EMAIL = f"""mutation($id: ID!) {{ deleteEmail(id: $id) {{
  __typename ... on DeleteEmailPayload {{ id }} {ERROR} }} }}"""


async def test_delete_email_removes_it(admin, email):
    # when a manager deletes the email
    manager = await admin.add_user(Role.MANAGER)
    result = await run(manager, DELETE_EMAIL, {"id": gid(email)})
    # then the payload names it, and it is gone from the database and the API
    assert result == {"__typename": "DeleteEmailPayload", "id": gid(email)}
    assert not await Email.filter(id=email.id).exists()
    assert await EmailLabel.filter(email_id=email.id).count() == 0
    data = await admin.data(
        "query($id: ID!) { email(id: $id) { id } emails { totalCount } }",
        {"id": gid(email)},
    )
    assert data == {"email": None, "emails": {"totalCount": 0}}
    # and deleting it again is NOT_FOUND
    again = await run(manager, DELETE_EMAIL, {"id": gid(email)})
    assert_input_error(again, "NOT_FOUND", "id")


async def test_delete_email_reparents_its_children(admin, queue, email):
    # given a thread root <- reply <- (reply-to-reply, second reply-to-reply)
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await new_email(
        admin, queue, subject="Re: Invoice 42", thread=thread, parent=email
    )
    grandchildren = [
        await new_email(
            admin, queue, subject="Re: Re: Invoice 42", thread=thread, parent=reply
        )
        for _ in range(2)
    ]
    # when the middle email is deleted
    result = await run(admin, DELETE_EMAIL, {"id": gid(reply)})
    assert result["__typename"] == "DeleteEmailPayload"
    # then its children now hang from its parent, in the same thread
    for child in grandchildren:
        row = await Email.get(id=child.id)
        assert (row.parent_id, row.email_thread_id) == (email.id, thread.id)
    data = await admin.data(
        "query($id: ID!) { email(id: $id) { children { id } } }", {"id": gid(email)}
    )
    assert [c["id"] for c in data["email"]["children"]] == [
        gid(c) for c in grandchildren
    ]


async def test_deleting_a_root_email_leaves_its_children_without_parent(
    admin, queue, email
):
    # given a root email with a reply
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await new_email(
        admin, queue, subject="Re: Invoice 42", thread=thread, parent=email
    )
    # when the root is deleted
    await run(admin, DELETE_EMAIL, {"id": gid(email)})
    # then the reply stays, in its thread, with no parent
    row = await Email.get(id=reply.id)
    assert (row.parent_id, row.email_thread_id) == (None, thread.id)


async def test_delete_email_keeps_its_documents_and_annotations(admin, queue, email):
    # given a document and an annotation that arrived with the email
    document = await Document.create(
        organization_id=admin.organization_id, email=email, original_file_name="a.pdf"
    )
    annotation = await Annotation.create(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        document=document,
        email=email,
        email_thread_id=email.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
    )
    # when the email is deleted
    await run(admin, DELETE_EMAIL, {"id": gid(email)})
    # then they stay, unlinked from it
    assert (await Document.get(id=document.id)).email_id is None
    assert (await Annotation.get(id=annotation.id)).email_id is None


# --------------------------------------------------------------------- annotations


UPDATE_ANNOTATION = f"""mutation($input: UpdateAnnotationInput!) {{
  updateAnnotation(input: $input) {{
    __typename ... on Annotation {{ id status metadata assignee {{ id }} }}
    {ERROR} }} }}"""


@pytest.fixture
async def annotation(admin, queue, email) -> Annotation:
    return await Annotation.create(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email=email,
        email_thread_id=email.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
        metadata={"old": True},
    )


async def test_update_annotation_changes_its_status(admin, annotation):
    # when an annotator confirms the annotation
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await run(
        annotator,
        UPDATE_ANNOTATION,
        {"input": {"id": gid(annotation), "status": "CONFIRMED"}},
    )
    # then it is stored CONFIRMED, metadata and assignee untouched
    assert result == {
        "__typename": "Annotation",
        "id": gid(annotation),
        "status": "CONFIRMED",
        "metadata": {"old": True},
        "assignee": None,
    }
    row = await Annotation.get(id=annotation.id)
    assert row.status == AnnotationStatus.CONFIRMED
    assert row.modified_at >= annotation.modified_at


async def test_update_annotation_refuses_importing(admin, annotation):
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": gid(annotation), "status": "IMPORTING"}},
    )
    assert_input_error(result, "BAD_REQUEST", "status")
    assert (await Annotation.get(id=annotation.id)).status == AnnotationStatus.TO_REVIEW


async def test_update_annotation_assigns_and_clears_the_assignee(admin, annotation):
    # given an annotator of the organization
    annotator = await admin.add_user(Role.ANNOTATOR)
    # when the annotation is assigned to them
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid(annotation),
                "assignee": ids.encode("User", annotator.user_id),
            }
        },
    )
    # then they are its assignee
    assert result["assignee"] == {"id": ids.encode("User", annotator.user_id)}
    assert (await Annotation.get(id=annotation.id)).assignee_id == annotator.user_id
    # and when the assignee is cleared, there is none
    cleared = await run(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": gid(annotation), "clearAssignee": True}},
    )
    assert cleared["assignee"] is None
    assert (await Annotation.get(id=annotation.id)).assignee_id is None


async def test_update_annotation_with_an_unknown_assignee_is_not_found(
    admin, annotation
):
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid(annotation),
                "assignee": ids.encode("User", 424242),
                "status": "CONFIRMED",
            }
        },
    )
    assert_input_error(result, "NOT_FOUND", "assignee")
    row = await Annotation.get(id=annotation.id)
    assert (row.status, row.assignee_id) == (AnnotationStatus.TO_REVIEW, None)


async def test_update_annotation_metadata_replaces_it(admin, annotation):
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid(annotation),
                "metadata": {"reviewed_by": "jane", "score": 0.9},
            }
        },
    )
    assert result["metadata"] == {"reviewed_by": "jane", "score": 0.9}
    assert (await Annotation.get(id=annotation.id)).metadata == {
        "reviewed_by": "jane",
        "score": 0.9,
    }


@pytest.mark.parametrize(
    "metadata",
    [{f"k{i}": i for i in range(51)}, ["a"]],
    ids=["51-keys", "not-an-object"],
)
async def test_update_annotation_refuses_bad_metadata(admin, annotation, metadata):
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": gid(annotation), "metadata": metadata, "status": "CONFIRMED"}},
    )
    assert_input_error(result, "BAD_REQUEST", "metadata")
    row = await Annotation.get(id=annotation.id)
    assert (row.metadata, row.status) == ({"old": True}, AnnotationStatus.TO_REVIEW)


async def test_update_annotation_of_an_unknown_id_is_not_found(admin):
    result = await run(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": ids.encode("Annotation", 424242), "status": "CONFIRMED"}},
    )
    assert_input_error(result, "NOT_FOUND", "id")


# ----------------------------------------------------------------------- templates


TEMPLATE_FIELDS = "id name subject message queue { id } stats { timesUsed lastUsedAt }"
CREATE_TEMPLATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} }} {ERROR} }} }}"""
UPDATE_TEMPLATE = f"""mutation($input: UpdateEmailTemplateInput!) {{
  updateEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} modifiedAt }} {ERROR} }} }}"""


async def test_create_email_template_stores_it_unused(admin, queue):
    # when a manager creates a template for a queue
    manager = await admin.add_user(Role.MANAGER)
    result = await run(
        manager,
        CREATE_TEMPLATE,
        {
            "input": {
                "name": " Rejection ",
                "subject": "We cannot process {{ parent_email_subject }}",
                "message": "<p>Dear {{ sender_email }}</p>",
                "queue": gid(queue),
            }
        },
    )
    # then it comes back unused, with a trimmed name
    assert result["__typename"] == "EmailTemplate", result
    assert (result["name"], result["subject"], result["message"]) == (
        "Rejection",
        "We cannot process {{ parent_email_subject }}",
        "<p>Dear {{ sender_email }}</p>",
    )
    assert result["queue"] == {"id": gid(queue)}
    assert result["stats"] == {"timesUsed": 0, "lastUsedAt": None}
    # and is stored in the organization
    row = await EmailTemplate.get(id=ids.decode(result["id"], "EmailTemplate"))
    assert (row.organization_id, row.queue_id, row.times_used) == (
        admin.organization_id,
        queue.id,
        0,
    )


async def test_create_email_template_needs_only_a_name(admin):
    result = await run(admin, CREATE_TEMPLATE, {"input": {"name": "Blank"}})
    assert result["__typename"] == "EmailTemplate"
    assert (result["subject"], result["message"], result["queue"]) == ("", "", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Hello\r\nBcc: victim@example.com"}, "subject"),
        ({"subject": "Hello\nthere"}, "subject"),
        ({"subject": "Hello\rthere"}, "subject"),
        ({"subject": "x" * 999}, "subject"),
        ({"name": "  "}, "name"),
        ({"message": "x" * (64 * 1024 + 1)}, "message"),
    ],
    ids=[
        "crlf-subject",
        "lf-subject",
        "cr-subject",
        "long-subject",
        "blank-name",
        "large-message",
    ],
)
async def test_create_email_template_refuses_bad_fields(admin, fields, field):
    # when a template is created with one bad field
    result = await run(admin, CREATE_TEMPLATE, {"input": {"name": "T", **fields}})
    # then it is an InputError on that field, and no template exists
    assert_input_error(result, "BAD_REQUEST", field)
    assert await EmailTemplate.all().count() == 0


async def test_create_email_template_in_an_unknown_queue_is_not_found(admin):
    result = await run(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "T", "queue": ids.encode("Queue", 424242)}},
    )
    assert_input_error(result, "NOT_FOUND", "queue")
    assert await EmailTemplate.all().count() == 0


@pytest.fixture
async def template(admin) -> EmailTemplate:
    result = await run(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "Thanks", "subject": "Thanks", "message": "<p>Thanks</p>"}},
    )
    return await EmailTemplate.get(id=ids.decode(result["id"], "EmailTemplate"))


async def test_update_email_template_changes_only_what_is_given(admin, template):
    # when only the subject is changed
    result = await run(
        admin, UPDATE_TEMPLATE, {"input": {"id": gid(template), "subject": "Thank you"}}
    )
    # then the rest stays, and stats are untouched
    assert result["__typename"] == "EmailTemplate", result
    assert (result["name"], result["subject"], result["message"]) == (
        "Thanks",
        "Thank you",
        "<p>Thanks</p>",
    )
    assert result["stats"]["timesUsed"] == 0
    row = await EmailTemplate.get(id=template.id)
    assert (row.name, row.subject, row.message) == (
        "Thanks",
        "Thank you",
        "<p>Thanks</p>",
    )
    assert row.modified_at >= template.modified_at


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Hi\r\nBcc: victim@example.com", "name": "Renamed"}, "subject"),
        ({"name": "", "subject": "Changed"}, "name"),
    ],
    ids=["crlf-subject", "empty-name"],
)
async def test_update_email_template_with_a_bad_field_changes_nothing(
    admin, template, fields, field
):
    result = await run(
        admin, UPDATE_TEMPLATE, {"input": {"id": gid(template), **fields}}
    )
    assert_input_error(result, "BAD_REQUEST", field)
    row = await EmailTemplate.get(id=template.id)
    assert (row.name, row.subject) == ("Thanks", "Thanks")


async def test_update_email_template_of_an_unknown_id_is_not_found(admin):
    result = await run(
        admin,
        UPDATE_TEMPLATE,
        {"input": {"id": ids.encode("EmailTemplate", 424242), "name": "X"}},
    )
    assert_input_error(result, "NOT_FOUND", "id")


# --------------------------------------------------------------------------- tasks


CANCEL_TASK = f"""mutation($id: ID!) {{ cancelTask(id: $id) {{
  __typename ... on Task {{ id status finishedAt }} {ERROR} }} }}"""


async def new_task(admin, status: TaskStatus = TaskStatus.QUEUED) -> Task:
    return await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL, status=status
    )


async def test_cancel_task_cancels_a_queued_task(admin):
    # given a queued task
    task = await new_task(admin)
    # when an annotator cancels it
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await run(annotator, CANCEL_TASK, {"id": gid(task)})
    # then it is CANCELLED and finished
    assert result["__typename"] == "Task", result
    assert result["status"] == "CANCELLED" and result["finishedAt"] is not None
    row = await Task.get(id=task.id)
    assert row.status == TaskStatus.CANCELLED and row.finished_at is not None


async def test_cancelling_a_cancelled_task_again_is_harmless(admin):
    task = await new_task(admin)
    first = await run(admin, CANCEL_TASK, {"id": gid(task)})
    second = await run(admin, CANCEL_TASK, {"id": gid(task)})
    assert second == first


@pytest.mark.parametrize(
    "status", [TaskStatus.SUCCEEDED, TaskStatus.RUNNING, TaskStatus.FAILED]
)
async def test_cancel_task_refuses_a_started_task(admin, status):
    # given a task a worker has started or finished
    task = await new_task(admin, status)
    # when it is cancelled
    result = await run(admin, CANCEL_TASK, {"id": gid(task)})
    # then it is a CONFLICT, and the task is unchanged
    assert_input_error(result, "CONFLICT", "id")
    assert status.value in result["message"]
    row = await Task.get(id=task.id)
    assert (row.status, row.finished_at) == (status, None)


async def test_cancel_task_of_an_unknown_id_is_not_found(admin):
    result = await run(admin, CANCEL_TASK, {"id": ids.encode("Task", uuid.uuid4())})
    assert_input_error(result, "NOT_FOUND", "id")


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
    result = await run(
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
        UPDATE_EMAIL, {"input": {"id": gid(email), "metadata": {"note": "a\u0000b"}}}
    )
    assert "errors" not in body, body["errors"]
    result = body["data"]["updateEmail"]
    if result["__typename"] == "InputError":
        assert (result["code"], result["field"]) == ("BAD_REQUEST", "metadata")
    else:
        assert (await Email.get(id=email.id)).metadata == {"note": "a\u0000b"}
