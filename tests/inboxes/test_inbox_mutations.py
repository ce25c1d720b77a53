"""createInbox and updateInbox: the settings stored, and the InputErrors a caller
can fix."""

import pytest

from app.core import ids
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

# ------------------------------------------------------------------------- inboxes


INBOX_FIELDS = """id name email acceptedMimeTypes minImageBytes rejectWithoutDocuments
  allowedSenderPatterns queue { id }"""

CREATE_INBOX = f"""mutation($input: CreateInboxInput!) {{ createInbox(input: $input) {{
  __typename ... on Inbox {{ {INBOX_FIELDS} }} {ERROR} }} }}"""

UPDATE_INBOX = f"""mutation($input: UpdateInboxInput!) {{ updateInbox(input: $input) {{
  __typename ... on Inbox {{ {INBOX_FIELDS} }} {ERROR} }} }}"""


async def test_create_inbox_stores_its_settings(admin, queue):
    # when an admin creates an inbox with every setting
    result = await mutate(
        admin,
        CREATE_INBOX,
        {
            "input": {
                "queue": gid_of(queue),
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
    assert result["queue"] == {"id": gid_of(queue)}
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
    result = await mutate(
        admin,
        CREATE_INBOX,
        {"input": {"queue": gid_of(queue), "email": "x@acme.example"}},
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
    result = await mutate(
        admin, CREATE_INBOX, {"input": {"queue": gid_of(queue), "email": address}}
    )
    # then it is an InputError on "email", and no inbox exists
    assert_input_error(result, "BAD_REQUEST", "email")
    assert await Inbox.all().count() == 0


async def test_create_inbox_refuses_a_taken_address_whatever_its_case(
    admin, inbox, queue
):
    # given an inbox in@acme.example
    # when another is created for IN@Acme.example
    result = await mutate(
        admin,
        CREATE_INBOX,
        {"input": {"queue": gid_of(queue), "email": "IN@Acme.example"}},
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
    result = await mutate(
        other,
        CREATE_INBOX,
        {"input": {"queue": gid_of(other_queue), "email": "in@acme.example"}},
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
    result = await mutate(
        admin,
        CREATE_INBOX,
        {"input": {"queue": gid_of(queue), "email": "new@acme.example", **bad}},
    )
    # then it is an InputError naming that setting, and no inbox exists
    assert_input_error(result, "BAD_REQUEST", field)
    assert await Inbox.all().count() == 0


async def test_create_inbox_in_an_unknown_queue_is_not_found(admin):
    result = await mutate(
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
    result = await mutate(
        admin,
        UPDATE_INBOX,
        {
            "input": {
                "id": gid_of(inbox),
                "queue": gid_of(other),
                "minImageBytes": 4096,
                "acceptedMimeTypes": ["application/pdf"],
            }
        },
    )
    # then those change, the rest stays
    assert result["__typename"] == "Inbox", result
    assert result["queue"] == {"id": gid_of(other)}
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
    result = await mutate(
        admin,
        UPDATE_INBOX,
        {
            "input": {
                "id": gid_of(inbox),
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
    result = await mutate(admin, UPDATE_INBOX, {"input": {"id": gid_of(inbox), **bad}})
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
