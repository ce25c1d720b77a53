"""`emails(orderBy: {field: DATE})`: the Date header's order, whatever the arrival
order; ties broken by id; emails without a Date last, ascending and descending;
pages walk through all of it with the same cursors as the other orderings."""

import base64
import json
import random
from datetime import timedelta

import pytest

from app.mail.models import Email
from tests.factories import at, make_email, make_queue
from tests.graphql.paging import fetch, joined, walk_backward, walk_forward
from tests.helpers import error_code, gid_of
from tests.intake.importing import intake_inbox, queued_task

DATED = """
query($descending: Boolean!) {
  emails(orderBy: {field: DATE, descending: $descending}, first: 100) {
    nodes { subject date receivedAt }
  }
}"""


def dated_message(n: int, minutes: int) -> bytes:
    date = (at(0) + timedelta(minutes=minutes)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"From: supplier@vendor.test\r\nTo: inbox@acme.test\r\n"
        f"Subject: archive {n:02d}\r\nDate: {date}\r\n"
        f"Message-ID: <archive-{n}@vendor.test>\r\n\r\nMessage {n}.\r\n"
    ).encode()


async def test_an_archive_imported_in_shuffled_order_lists_in_date_order(
    admin, run_jobs
):
    # given an archive of 50 messages with distinct Date headers, message n dated
    # n hours after the first, imported in shuffled order
    await intake_inbox(admin.organization_id)
    order = list(range(50))
    random.Random(12).shuffle(order)
    for n in order:
        await queued_task(admin, dated_message(n, minutes=60 * n))
    await run_jobs()

    # when they are listed by DATE, ascending and descending
    ascending = (await admin.data(DATED, {"descending": False}))["emails"]["nodes"]
    descending = (await admin.data(DATED, {"descending": True}))["emails"]["nodes"]

    # then the Date order holds both ways, not the order they arrived in
    expected = [f"archive {n:02d}" for n in range(50)]
    assert [e["subject"] for e in ascending] == expected
    assert [e["subject"] for e in descending] == expected[::-1]
    received = [e["receivedAt"] for e in ascending]
    assert received != sorted(received)  # arrival order differs from Date order


@pytest.fixture
async def dated(admin) -> dict[str, Email]:
    """Emails whose Dates tie on purpose, two without a Date, created out of order."""
    queue = await make_queue(admin.organization_id)
    rows = {}
    for name, date_minute, created_minute in [
        ("a", 30, 1),
        ("none1", None, 2),
        ("b", 10, 3),
        ("c", 30, 4),  # the same Date as a
        ("d", 20, 5),
        ("none2", None, 6),
        ("e", 10, 7),  # the same Date as b
    ]:
        rows[name] = await make_email(
            admin.organization_id,
            queue.id,
            created_at=at(created_minute),
            subject=name,
            date=None if date_minute is None else at(date_minute),
        )
    return rows


def expected(rows: dict[str, Email], names: str) -> list[str]:
    return [gid_of(rows[n]) for n in names.split()]


ASCENDING = "b e d a c none1 none2"  # ties by id, the same direction
DESCENDING = "c a d e b none2 none1"  # without a Date still last


@pytest.mark.parametrize(
    ("descending", "order"), [(False, ASCENDING), (True, DESCENDING)]
)
async def test_emails_without_a_date_come_last_both_ways(
    admin, dated, descending, order
):
    data = await admin.data(
        """query($d: Boolean!) { emails(orderBy: {field: DATE, descending: $d}) {
             nodes { id date } } }""",
        {"d": descending},
    )
    assert [n["id"] for n in data["emails"]["nodes"]] == expected(dated, order)


@pytest.mark.parametrize(
    ("descending", "order"), [(False, ASCENDING), (True, DESCENDING)]
)
@pytest.mark.parametrize("size", [1, 2, 3, 7])
async def test_pages_walk_across_the_emails_without_a_date(
    admin, dated, descending, order, size
):
    order_by = {"field": "DATE", "descending": descending}
    # forward and backward walks list every email once, in order
    forward = await walk_forward(admin, size, orderBy=order_by)
    assert joined(forward) == expected(dated, order)
    backward = await walk_backward(admin, size, orderBy=order_by)
    assert joined(backward) == expected(dated, order)
    assert all(p["totalCount"] == 7 for p in forward + backward)


async def test_the_page_after_and_before_a_dateless_email(admin, dated):
    order_by = {"field": "DATE", "descending": False}
    everything = await fetch(admin, first=7, orderBy=order_by)
    cursors = {e["node"]["id"]: e["cursor"] for e in everything["edges"]}
    none1 = cursors[gid_of(dated["none1"])]
    after = await fetch(admin, first=5, after=none1, orderBy=order_by)
    assert [e["node"]["id"] for e in after["edges"]] == expected(dated, "none2")
    before = await fetch(admin, last=2, before=none1, orderBy=order_by)
    assert [e["node"]["id"] for e in before["edges"]] == expected(dated, "a c")
    assert before["pageInfo"]["hasPreviousPage"] is True


def cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize(
    "bad",
    [
        cursor([None]),  # one value for a (date, id) key
        cursor(["yesterday", 1]),
        cursor(["2024-03-01T09:00:00", 1]),  # a time without its zone
        cursor([None, None]),  # the id is never null
        "not a cursor",
    ],
)
async def test_a_bad_date_cursor_is_bad_request(admin, dated, bad):
    body = await admin.gql(
        """query($after: String) { emails(orderBy: {field: DATE}, after: $after) {
             nodes { id } } }""",
        {"after": bad},
    )
    assert error_code(body) == "BAD_REQUEST" and body["data"] is None


async def test_an_unknown_order_field_is_bad_request(admin):
    body = await admin.gql("{ emails(orderBy: {field: DATED}) { nodes { id } } }")
    assert error_code(body) == "BAD_REQUEST"
    assert "DATED" in body["errors"][0]["message"]
