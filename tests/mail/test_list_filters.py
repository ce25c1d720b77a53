"""`emails(filter)`'s list-valued conditions (any of) and messageId, externalId,
dateAfter, dateBefore; old single-value queries; bad values are BAD_REQUEST."""

import pytest

from tests.factories import at, make_email, make_queue
from tests.helpers import error_code, gid
from tests.mail.mailbox import ALL, EMAILS, all_but, only, subjects

# --- any of a list ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_of", "expected"),
    [
        (
            lambda m: {"queue": [gid("Queue", m.main_queue.id)]},
            all_but("po"),
        ),
        (
            lambda m: {
                "queue": [gid("Queue", m.main_queue.id), gid("Queue", m.other_queue.id)]
            },
            ALL,
        ),
        # another organization's, or another type's, id adds nothing
        (
            lambda m: {"inbox": [gid("Inbox", m.inbox.id), m.foreign["inbox"]]},
            only("invoice", "spam"),
        ),
        (lambda m: {"inbox": [gid("Queue", m.inbox.id)]}, set()),
        (
            lambda m: {"creator": [gid("User", m.admin_id), gid("User", m.manager_id)]},
            only("reply", "statement", "bounce"),
        ),
        (lambda m: {"creator": [m.foreign["user"]]}, set()),
        (
            lambda m: {"from": ["ALICE@vendor.example", " bob@supplier.example "]},
            only("invoice", "po"),
        ),
        (
            lambda m: {"to": ["boss@acme.example", "carol@client.example"]},
            only("invoice", "statement"),
        ),
        (
            lambda m: {
                "senderOrRecipient": ["promo@spam.example", "dave@gone.example"]
            },
            only("spam", "bounce"),
        ),
        # an empty list matches nothing, as `ids: []` does
        (lambda m: {"queue": []}, set()),
        (lambda m: {"from": []}, set()),
        # lists combine with AND like every other condition
        (
            lambda m: {
                "queue": [gid("Queue", m.main_queue.id)],
                "from": ["alice@vendor.example", "bob@supplier.example"],
            },
            only("invoice"),
        ),
    ],
    ids=[
        "queue-one",
        "queue-both",
        "inbox-foreign",
        "inbox-wrong-type",
        "creator-both",
        "creator-foreign",
        "from-two",
        "to-two",
        "sender-or-recipient-two",
        "queue-empty",
        "from-empty",
        "combined",
    ],
)
async def test_a_list_matches_any_of_its_values(admin, mailbox, filter_of, expected):
    assert await subjects(admin, filter_of(mailbox)) == expected


async def test_old_single_value_queries_keep_working(admin, mailbox):
    # a single value where a list is expected is a list of one, written in the
    # document or passed in the filter variable
    main = gid("Queue", mailbox.main_queue.id)
    data = await admin.data(
        f"""{{ emails(filter: {{queue: "{main}", from: "ALICE@vendor.example",
                                 creator: null}}) {{ nodes {{ subject }} }} }}"""
    )
    assert [n["subject"] for n in data["emails"]["nodes"]] == ["Invoice 1001"]
    assert await subjects(
        admin, {"inbox": gid("Inbox", mailbox.inbox.id), "to": "boss@acme.example"}
    ) == only("invoice")
    assert await subjects(admin, {"senderOrRecipient": "audit@acme.example"}) == only(
        "po"
    )


async def test_a_variable_of_the_old_single_type_goes_in_a_list(admin, mailbox):
    # GraphQL coerces values, not variable types: `$q: ID` cannot stand where
    # [ID!] is expected (a clear BAD_REQUEST naming both types), `[$q]` can
    query = """query($q: ID!) { emails(filter: {queue: %s}) { nodes { subject } } }"""
    other = {"q": gid("Queue", mailbox.other_queue.id)}
    body = await admin.gql(query % "$q", other)
    assert error_code(body) == "BAD_REQUEST" and body["data"] is None
    assert (
        "'ID!' used in position expecting type '[ID!]'"
        in (body["errors"][0]["message"])
    )
    data = await admin.data(query % "[$q]", other)
    assert [n["subject"] for n in data["emails"]["nodes"]] == ["Purchase order 77"]


# --- messageId, externalId, dateAfter, dateBefore ----------------------------------


@pytest.fixture
async def dated(admin, make_org):
    org = admin.organization_id
    queue = await make_queue(org)

    async def add(subject, date_minute, **extra):
        return await make_email(
            org,
            queue.id,
            created_at=at(100),
            subject=subject,
            date=None if date_minute is None else at(date_minute),
            **extra,
        )

    await add("early", 10, message_id="<early@vendor.test>", external_id="crm-1")
    await add("middle", 20, message_id="<middle@vendor.test>")
    await add("late", 30, message_id="<late@vendor.test>", external_id="crm-3")
    await add("undated", None, message_id="<undated@vendor.test>")
    neighbour = await make_org("Globex")
    n_queue = await make_queue(neighbour.organization_id)
    await make_email(
        neighbour.organization_id,
        n_queue.id,
        created_at=at(100),
        subject="early next door",
        date=at(10),
        message_id="<early@vendor.test>",
        external_id="crm-1",
    )


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"messageId": "<middle@vendor.test>"}, {"middle"}),
        ({"messageId": "middle@vendor.test"}, {"middle"}),  # brackets optional
        ({"messageId": "<nobody@vendor.test>"}, set()),
        ({"externalId": "crm-1"}, {"early"}),
        ({"externalId": "crm-2"}, set()),
        ({"dateAfter": at(10).isoformat()}, {"middle", "late"}),  # excluded bound
        ({"dateBefore": at(30).isoformat()}, {"early", "middle"}),
        (
            {"dateAfter": at(15).isoformat(), "dateBefore": at(25).isoformat()},
            {"middle"},
        ),
        # the same instant in another zone: 09:20 UTC is 11:20 at +02:00
        ({"dateAfter": "2024-03-01T11:20:00+02:00"}, {"late"}),
        ({"dateAfter": at(30).isoformat()}, set()),  # never the undated
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_message_id_external_id_and_date_range(admin, dated, filter, expected):
    assert await subjects(admin, filter) == expected


# --- bad values --------------------------------------------------------------------

TOO_MANY = [f"a{i}@vendor.test" for i in range(101)]


@pytest.mark.parametrize(
    ("filter", "word"),
    [
        ({"queue": [gid("Queue", i) for i in range(1, 102)]}, "queue"),
        ({"inbox": [gid("Inbox", i) for i in range(1, 102)]}, "inbox"),
        ({"creator": [gid("User", i) for i in range(1, 102)]}, "creator"),
        ({"from": TOO_MANY}, "from"),
        ({"to": TOO_MANY}, "to"),
        ({"senderOrRecipient": TOO_MANY}, "senderOrRecipient"),
        ({"from": ["x" * 321 + "@vendor.test"]}, "from"),
        ({"to": ["x" * 321]}, "to"),
        ({"senderOrRecipient": ["x" * 400]}, "senderOrRecipient"),
        ({"messageId": ""}, "messageId"),
        ({"messageId": "<" + "x" * 998 + ">"}, "messageId"),
        ({"externalId": ""}, "externalId"),
        ({"externalId": "x" * 201}, "externalId"),
        ({"dateAfter": at(20).isoformat(), "dateBefore": at(20).isoformat()}, "date"),
        ({"dateAfter": at(30).isoformat(), "dateBefore": at(10).isoformat()}, "date"),
        ({"dateAfter": "yesterday"}, "dateAfter"),
        ({"dateBefore": "2024-13-01T00:00:00Z"}, "dateBefore"),
        ({"queue": [None]}, "queue"),
        ({"from": [7]}, "from"),
    ],
    ids=lambda v: repr(v)[:60] if isinstance(v, dict) else "",
)
async def test_a_bad_filter_value_is_bad_request_naming_it(
    admin, mailbox, filter, word
):
    body = await admin.gql(EMAILS, {"filter": filter})
    assert body["data"] is None or body["data"]["emails"] is None, body
    assert error_code(body) == "BAD_REQUEST", body
    assert word in body["errors"][0]["message"], body


async def test_a_hundred_values_are_accepted(admin, mailbox):
    many = [gid("Queue", mailbox.main_queue.id)] + [
        gid("Queue", 10_000 + i) for i in range(99)
    ]
    assert await subjects(admin, {"queue": many}) == all_but("po")
