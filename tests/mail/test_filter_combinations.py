"""`emails(filter)`: conditions combined, and ids of another organization, of the
wrong type or beyond any key matching nothing."""

import pytest

from tests.factories import at
from tests.helpers import gid, gid_of
from tests.mail.mailbox import EMAILS, only, subjects

# --- combinations and foreign ids ----------------------------------------------------


@pytest.mark.parametrize(
    ("filter_of", "expected"),
    [
        (lambda m: {"type": "INCOMING", "unread": True}, only("invoice", "spam")),
        (
            lambda m: {
                "from": "ap@acme.example",
                "deliveryStatus": ["SENT", "QUEUED"],
                "labels": ["REPLY"],
            },
            only("reply"),
        ),
        (lambda m: {"search": "invoice", "hasDocuments": True}, only("invoice")),
        (
            lambda m: {
                "queue": gid("Queue", m.main_queue.id),
                "status": ["UNRESOLVED"],
                "createdAfter": at(3.5).isoformat(),
            },
            only("statement", "spam", "bounce"),
        ),
        (
            lambda m: {
                "thread": gid("EmailThread", m.emails["invoice"].email_thread_id),
                "type": "OUTGOING",
            },
            only("reply"),
        ),
        (
            lambda m: {
                "ids": m.ids("invoice", "reply", "po"),
                "to": "ap@acme.example",
                "subject": "invoice",
            },
            only("invoice"),
        ),
        (
            lambda m: {
                "senderOrRecipient": "ap@acme.example",
                "creator": gid("User", m.manager_id),
                "unread": False,
                "deliveryStatus": ["FAILED"],
            },
            only("bounce"),
        ),
        # Conditions that exclude each other match nothing.
        (lambda m: {"type": "OUTGOING", "inbox": gid("Inbox", m.inbox.id)}, set()),
        (lambda m: {"hasDocuments": True, "labels": ["REPLY"]}, set()),
    ],
)
async def test_conditions_combine_with_and(admin, mailbox, filter_of, expected):
    assert await subjects(admin, filter_of(mailbox)) == expected


@pytest.mark.parametrize("kind", ["email", "queue", "inbox", "thread", "user"])
async def test_ids_of_another_organization_match_nothing(admin, mailbox, kind):
    key = {
        "email": "ids",
        "queue": "queue",
        "inbox": "inbox",
        "thread": "thread",
        "user": "creator",
    }[kind]
    value = mailbox.foreign[kind]
    assert await subjects(admin, {key: [value] if key == "ids" else value}) == set()


@pytest.mark.parametrize(
    ("key", "value_of"),
    [
        ("queue", lambda m: gid("Inbox", m.inbox.id)),
        ("queue", lambda m: gid("Queue", "main")),
        ("inbox", lambda m: gid("Queue", m.main_queue.id)),
        ("thread", lambda m: gid_of(m.emails["invoice"])),
        ("creator", lambda m: gid("Queue", m.admin_id)),
        ("creator", lambda m: "garbage"),
    ],
)
async def test_related_ids_of_the_wrong_type_match_nothing(
    admin, mailbox, key, value_of
):
    assert await subjects(admin, {key: value_of(mailbox)}) == set()


@pytest.mark.parametrize(
    ("key", "type_name"),
    [
        ("ids", "Email"),
        ("queue", "Queue"),
        ("inbox", "Inbox"),
        ("thread", "EmailThread"),
        ("creator", "User"),
    ],
)
async def test_ids_beyond_any_primary_key_match_nothing(admin, mailbox, key, type_name):
    # A well-formed global id whose key no row can have (beyond 32-bit keys).
    value = gid(type_name, 10**11)
    assert await subjects(admin, {key: [value] if key == "ids" else value}) == set()


async def test_look_alike_rows_of_another_organization_never_match(admin, mailbox):
    # The neighbour has an email with the same subject, sender and recipient.
    data = await admin.data(EMAILS, {"filter": {"from": "alice@vendor.example"}})
    assert [n["id"] for n in data["emails"]["nodes"]] == mailbox.ids("invoice")
    assert data["emails"]["totalCount"] == 1
