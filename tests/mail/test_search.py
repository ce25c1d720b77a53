"""`emails(filter: {search})` through HTTP GraphQL: words found by the full-text
index (app/mail/search.py), in the organization only, hostile strings as plain
words, and the index kept in step as emails change."""

import pytest

from tests.factories import at, make_email, make_queue
from tests.graphql.mutation_documents import UPDATE_EMAIL
from tests.helpers import error_code, gid_of, mutate
from tests.mail.mailbox import EMAILS, only, subjects


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("invoice", only("invoice", "reply", "spam")),  # subject words, spam's body
        ("1001", only("invoice", "reply")),  # a number in a subject
        ("attached", only("invoice", "po")),  # body words
        ("Alice@Vendor.example", only("invoice", "reply")),  # sender, recipient
        ("bob@supplier.example", only("po")),  # sender address, whole
        ("supplier", only("po")),  # one word of an address
        ("@client.exam", only("statement")),  # the end of an address, a prefix
        ("archer", only("invoice")),  # sender name
        ("quart", only("statement")),  # a prefix of a word
        ("next week", only("po")),  # a phrase: these words, in this order
        ("week next", set()),
        ("voice", set()),  # inside a word: not a match
        ("0%", set()),  # "100% paid": no word starts with 0
    ],
    ids=repr,
)
async def test_search_finds_words_and_prefixes_of_words(
    admin, mailbox, search, expected
):
    assert await subjects(admin, {"search": search}) == expected


async def test_search_never_finds_another_organizations_mail(admin, mailbox):
    # the organization next door has an "Invoice 1001" from alice@vendor.example too
    body = await admin.gql(EMAILS, {"filter": {"search": "invoice alice"}})
    assert "errors" not in body, body
    found = {n["id"] for n in body["data"]["emails"]["nodes"]}
    assert mailbox.foreign["email"] not in found
    assert await subjects(admin, {"search": "vendor example"}) == only(
        "invoice", "reply"
    )


HOSTILE = [
    '"',
    '"invoice',
    'invoice"',
    "*",
    "invoice*",
    "inv*ice",
    "NEAR(invoice attached)",
    "NEAR(invoice attached, 2)",
    "invoice NOT spam",
    "invoice OR spam",
    "AND",
    "-invoice",
    "invoice -attached",
    "subject:invoice",
    "search_text:invoice",
    "{search_text}: invoice",
    "(invoice",
    "invoice)",
    "()",
    "^invoice",
    "'",
    "''",
    "\\",
    "invoice:*",
    "!invoice & attached | x <-> y",
    "<2>",
    "%",
    "_",
    "invoice; DROP TABLE email; --",
    "\u200b\u00a0\t\n",
    "😀 invoice",
]


@pytest.mark.parametrize("search", HOSTILE, ids=repr)
async def test_search_syntax_is_plain_words(admin, mailbox, search):
    # given a search string written in some engine's query syntax
    body = await admin.gql(EMAILS, {"filter": {"search": search}})
    # then the answer is no error, and what its words alone would find
    assert "errors" not in body, body
    words = " ".join("".join(c if c.isalnum() else " " for c in search).split()).strip()
    nodes = body["data"]["emails"]["nodes"]
    assert body["data"]["emails"]["totalCount"] == len(nodes)
    found = {n["subject"] for n in nodes}
    if not words:  # no word at all: nothing matches
        assert found == set()
    else:
        assert found == await subjects(admin, {"search": words})


async def test_a_very_long_search_is_its_first_words(admin, mailbox):
    # 10,000 words, and one 100,000-letter word
    many = " ".join(["next", "week"] + [f"w{i}" for i in range(10_000)])
    assert await subjects(admin, {"search": many}) == set()
    assert await subjects(admin, {"search": "next week " * 5_000}) == set()
    assert await subjects(admin, {"search": "x" * 100_000}) == set()
    # the first 16 words are the phrase; the rest are left out
    po = (
        "Purchase order 77, Bob Builder <bob@supplier.example>, ap@acme.example,"
        " audit@acme.example, PO attached"
    )
    assert await subjects(admin, {"search": po}) == only("po")
    assert await subjects(admin, {"search": f"{po} nothing of the sort"}) == only("po")


async def test_a_search_with_nul_is_refused_like_any_text_with_nul(admin, mailbox):
    # The API refuses U+0000 in every text input (BAD_REQUEST), before any resolver.
    body = await admin.gql(EMAILS, {"filter": {"search": "invoice\x00attached"}})
    assert error_code(body) == "BAD_REQUEST"


async def test_total_count_is_every_match_across_pages(admin):
    # given 7 emails with the word and 3 without
    org = admin.organization_id
    queue = await make_queue(org)
    for i in range(10):
        word = "kiwi" if i % 10 < 7 else "mango"
        await make_email(
            org, queue.id, created_at=at(i), subject=f"{i}", body_text_plain=word
        )
    page = """query($after: String) { emails(filter: {search: "kiwi"}, first: 3,
      after: $after) { totalCount nodes { subject } pageInfo { endCursor hasNextPage }
    } }"""
    # when the pages are walked
    seen, after = [], None
    while True:
        emails = (await admin.data(page, {"after": after}))["emails"]
        # then every page counts all 7, and the pages hold exactly them
        assert emails["totalCount"] == 7
        seen += [n["subject"] for n in emails["nodes"]]
        if not emails["pageInfo"]["hasNextPage"]:
            break
        after = emails["pageInfo"]["endCursor"]
    assert sorted(seen) == [str(i) for i in range(7)]


async def test_the_index_follows_emails_that_change_or_go(admin, mailbox):
    invoice = mailbox.emails["invoice"]
    # when an email's triage fields are saved (every column is written)
    result = await mutate(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid_of(invoice), "status": "RESOLVED", "unread": False}},
    )
    assert result["__typename"] == "Email", result
    # then it is found as before, once
    assert await subjects(admin, {"search": "archer"}) == only("invoice")
    # and when it is deleted it is found no more
    deleted = await admin.data(
        "mutation($id: ID!) { deleteEmail(input: {id: $id}) { __typename } }",
        {"id": gid_of(invoice)},
    )
    assert deleted["deleteEmail"]["__typename"] == "DeleteEmailPayload", deleted
    assert await subjects(admin, {"search": "archer"}) == set()
    assert await subjects(admin, {"search": "invoice"}) == only("reply", "spam")
