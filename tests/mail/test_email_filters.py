"""`emails(filter)`, one filter at a time, and text matching's edge cases — through
HTTP GraphQL, over rows created through the mail service."""

import pytest

from tests.factories import at, make_email, make_queue
from tests.helpers import gid
from tests.mail.mailbox import ALL, EMAILS, all_but, only, subjects

# --- one filter at a time ----------------------------------------------------------


async def test_no_filter_lists_every_email_of_the_organization_and_no_other(
    admin, mailbox
):
    assert await subjects(admin, None) == ALL
    assert await subjects(admin, {}) == ALL


async def test_ids_filter_matches_exactly_the_named_emails(admin, mailbox):
    assert await subjects(admin, {"ids": mailbox.ids("invoice", "po")}) == only(
        "invoice", "po"
    )
    assert await subjects(admin, {"ids": mailbox.ids("spam")}) == only("spam")
    assert await subjects(admin, {"ids": []}) == set()


async def test_ids_of_another_type_or_malformed_match_nothing(admin, mailbox):
    invoice = mailbox.emails["invoice"]
    # Same primary key, wrong type: not an email id.
    assert await subjects(admin, {"ids": [gid("Queue", invoice.id)]}) == set()
    assert (
        await subjects(admin, {"ids": ["not-a-global-id", gid("Email", "x1")]}) == set()
    )
    # Mixed: the good one still matches.
    mixed = [gid("EmailThread", invoice.id), *mailbox.ids("po")]
    assert await subjects(admin, {"ids": mixed}) == only("po")


@pytest.mark.parametrize(
    ("filter_of", "expected"),
    [
        (lambda m: {"queue": gid("Queue", m.main_queue.id)}, all_but("po")),
        (lambda m: {"queue": gid("Queue", m.other_queue.id)}, only("po")),
        (lambda m: {"inbox": gid("Inbox", m.inbox.id)}, only("invoice", "spam")),
        (
            lambda m: {
                "thread": gid("EmailThread", m.emails["invoice"].email_thread_id)
            },
            only("invoice", "reply"),
        ),
        (
            lambda m: {"thread": gid("EmailThread", m.emails["po"].email_thread_id)},
            only("po"),
        ),
        (lambda m: {"creator": gid("User", m.admin_id)}, only("reply")),
        (lambda m: {"creator": gid("User", m.manager_id)}, only("statement", "bounce")),
    ],
    ids=[
        "queue-main",
        "queue-other",
        "inbox",
        "thread-pair",
        "thread-single",
        "creator-admin",
        "creator-manager",
    ],
)
async def test_filter_by_related_object(admin, mailbox, filter_of, expected):
    assert await subjects(admin, filter_of(mailbox)) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"type": "INCOMING"}, only("invoice", "po", "spam")),
        ({"type": "OUTGOING"}, only("reply", "statement", "bounce")),
        ({"status": ["UNRESOLVED"]}, all_but("reply", "po")),
        ({"status": ["RESOLVED", "DISMISSED"]}, only("reply", "po")),
        ({"status": ["DISMISSED"]}, only("po")),
        ({"labels": ["REPLY", "FORWARDED"]}, only("reply", "statement")),
        ({"labels": ["REJECTION"]}, only("spam")),
        # Both of spam's labels: still listed once.
        ({"labels": ["AUTOMATIC_REJECTION", "REJECTION"]}, only("spam")),
        ({"labels": ["AUTOMATIC_STATUS_CHANGED_INFO"]}, set()),
        ({"deliveryStatus": ["SENT", "FAILED"]}, only("reply", "bounce")),
        ({"deliveryStatus": ["QUEUED"]}, only("statement")),
        ({"deliveryStatus": ["SCHEDULED", "CANCELLED", "EXPIRED"]}, set()),
        ({"unread": True}, only("invoice", "spam")),
        ({"unread": False}, all_but("invoice", "spam")),
        ({"hasDocuments": True}, only("invoice", "po")),
        ({"hasDocuments": False}, all_but("invoice", "po")),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_column(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # from: the sender address, exactly, whatever the case.
        ({"from": "alice@vendor.example"}, only("invoice")),
        ({"from": "ALICE@Vendor.EXAMPLE"}, only("invoice")),
        ({"from": "ap@acme.example"}, only("reply", "statement", "bounce")),
        ({"from": "vendor.example"}, set()),
        ({"from": "carol@client.example"}, set()),  # a recipient, not a sender
        # to: any of to/cc/bcc, not the sender.
        ({"to": "AP@acme.example"}, only("invoice", "po")),
        ({"to": "boss@acme.example"}, only("invoice")),  # cc
        ({"to": "audit@acme.example"}, only("po")),  # bcc
        ({"to": "alice@vendor.example"}, only("reply")),
        ({"to": "promo@spam.example"}, set()),  # a sender only
        # senderOrRecipient: either side.
        ({"senderOrRecipient": "Alice@vendor.example"}, only("invoice", "reply")),
        ({"senderOrRecipient": "audit@acme.example"}, only("po")),
        (
            {"senderOrRecipient": "ap@acme.example"},
            only("invoice", "reply", "po", "statement", "bounce"),
        ),
        ({"senderOrRecipient": "nobody@acme.example"}, set()),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_address(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            {"createdAfter": at(2.5).isoformat()},
            only("po", "statement", "spam", "bounce"),
        ),
        ({"createdBefore": at(2.5).isoformat()}, only("invoice", "reply")),
        (
            {"createdAfter": at(1.5).isoformat(), "createdBefore": at(4.5).isoformat()},
            only("reply", "po", "statement"),
        ),
        ({"createdAfter": at(6.5).isoformat()}, set()),
        ({"createdBefore": at(0.5).isoformat()}, set()),
        # The same instants written in other time zones (09:02:30Z = at(2.5)).
        (
            {"createdAfter": "2024-03-01T11:02:30+02:00"},
            only("po", "statement", "spam", "bounce"),
        ),
        ({"createdBefore": "2024-03-01T04:02:30-05:00"}, only("invoice", "reply")),
    ],
    ids=[
        "after",
        "before",
        "between",
        "after-all",
        "before-all",
        "after-+02:00",
        "before--05:00",
    ],
)
async def test_filter_by_creation_time(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


async def test_a_time_without_offset_is_read_as_utc_or_refused(admin, mailbox):
    # 09:02:30 with no offset: either UTC (the service's zone) or a BAD_REQUEST,
    # never an internal error.
    body = await admin.gql(EMAILS, {"filter": {"createdAfter": "2024-03-01T09:02:30"}})
    if "errors" in body:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
    else:
        found = {n["subject"] for n in body["data"]["emails"]["nodes"]}
        assert found == only("po", "statement", "spam", "bounce")


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # subject: contains, case-insensitive; the subject only.
        ({"subject": "INVOICE"}, only("invoice", "reply")),
        ({"subject": "order 7"}, only("po")),
        ({"subject": "Re:"}, only("reply")),
        ({"subject": "discount"}, set()),  # in a body, not a subject
        ({"subject": "xyz"}, set()),
        # search: words of the subject, sender/recipient addresses, sender name and
        # plain body (more in test_search.py).
        ({"search": "invoice"}, only("invoice", "reply", "spam")),  # spam: body
        ({"search": "BUILDER"}, only("po")),  # sender name
        ({"search": "deals team"}, only("spam")),  # sender name
        ({"search": "carol@client"}, only("statement")),  # recipient address, partly
        ({"search": "SUPPLIER.example"}, only("po")),  # sender address, partly
        ({"search": "audit@"}, only("po")),  # bcc address
        ({"search": "next week"}, only("po")),  # plain body
        ({"search": "  quarterly  "}, only("statement")),  # surrounding blanks ignored
        ({"search": "no such words"}, set()),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_text(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


# --- text matching edge cases --------------------------------------------------------


async def test_like_wildcards_in_subject_match_literally(admin):
    org = admin.organization_id
    queue = await make_queue(org)
    for minute, subject in enumerate(
        ["100% paid", "1000 paid", "rate_card", "ratexcard"]
    ):
        await make_email(org, queue.id, created_at=at(minute), subject=subject)

    assert await subjects(admin, {"subject": "100%"}) == {"100% paid"}
    assert await subjects(admin, {"subject": "e_c"}) == {"rate_card"}
    # search: words, not characters (tests/mail/test_search.py)
    assert await subjects(admin, {"search": "0%"}) == set()
    assert await subjects(admin, {"search": "rate card"}) == {"rate_card"}


async def test_subject_and_search_ignore_case_beyond_ascii(admin):
    org = admin.organization_id
    queue = await make_queue(org)
    await make_email(org, queue.id, created_at=at(1), subject="Faktura č. 2024/17")
    await make_email(org, queue.id, created_at=at(2), subject="Über die Rechnung")
    await make_email(org, queue.id, created_at=at(3), subject="Plain ascii")

    assert await subjects(admin, {"subject": "FAKTURA Č."}) == {"Faktura č. 2024/17"}
    assert await subjects(admin, {"subject": "über"}) == {"Über die Rechnung"}
    assert await subjects(admin, {"search": "ÜBER DIE"}) == {"Über die Rechnung"}
