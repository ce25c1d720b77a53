"""Keyset cursor pagination of the connections (`emails`, `emailThreads`, `queues`):
walks forward and backward visit every row once, pageInfo and totalCount tell the
truth, rows inserted during a walk neither shift nor repeat the original rows, and
invalid paging arguments are BAD_REQUEST."""

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from app.inboxes.models import Queue
from app.mail.models import Email, EmailThread
from app.threads.service import delete_email
from tests.emailfactory import at, email_gid, gid, make_email, make_queue

EMAILS = """
query($first: Int, $after: String, $last: Int, $before: String,
      $orderBy: EmailOrder, $filter: EmailFilter) {
  emails(first: $first, after: $after, last: $last, before: $before,
         orderBy: $orderBy, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id subject } }
  }
}"""

THREADS = """
query($first: Int, $after: String, $last: Int, $before: String) {
  emailThreads(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}"""

QUEUES = """
query($first: Int, $after: String, $last: Int, $before: String) {
  queues(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}"""

CONNECTIONS = {"emails": EMAILS, "emailThreads": THREADS, "queues": QUEUES}


def node_ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def fetch(actor, field: str = "emails", **variables: Any) -> dict[str, Any]:
    """One page of a connection; its pageInfo cursors are those of its edges."""
    connection = (await actor.data(CONNECTIONS[field], variables))[field]
    edges, info = connection["edges"], connection["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
    return connection


Between = Callable[[dict[str, Any]], Awaitable[None]]


async def walk_forward(
    actor, size: int, field: str = "emails", between: Between | None = None, **variables
) -> list[dict[str, Any]]:
    """Pages from the start, `first: size`, following endCursor until hasNextPage is
    false; `between(page)` runs after each page is read."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        page = await fetch(actor, field, first=size, after=after, **variables)
        pages.append(page)
        if between is not None:
            await between(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]
        assert len(pages) < 100, "the walk does not end"


async def walk_backward(
    actor, size: int, field: str = "emails", **variables
) -> list[dict[str, Any]]:
    """Pages from the end, `last: size`, following startCursor until
    hasPreviousPage is false; returned in reading order (first page first)."""
    pages: list[dict[str, Any]] = []
    before = None
    while True:
        page = await fetch(actor, field, last=size, before=before, **variables)
        pages.append(page)
        if not page["pageInfo"]["hasPreviousPage"]:
            return pages[::-1]
        before = page["pageInfo"]["startCursor"]
        assert len(pages) < 100, "the walk does not end"


def joined(pages: list[dict[str, Any]]) -> list[str]:
    ids = [i for page in pages for i in node_ids(page)]
    assert len(ids) == len(set(ids)), "a row was listed twice"
    return ids


def cursor(values: Any) -> str:
    """A cursor forged the way the server encodes them (base64 of a JSON list)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


# --- data ---------------------------------------------------------------------------


async def seed_emails(
    org: int, minutes: list[float], subjects: list[str] | None = None
):
    """Emails created at at(minute) (ties on purpose), each in its own thread."""
    queue = await make_queue(org)
    rows = []
    for i, minute in enumerate(minutes):
        subject = subjects[i] if subjects else f"email {i:02d}"
        rows.append(
            await make_email(org, queue.id, created_at=at(minute), subject=subject)
        )
    return queue, rows


def in_order(rows: list[Email], key: Callable[[Email], Any], descending: bool):
    """Global ids in (key, id) order: ties broken by id, in the same direction."""
    ordered = sorted(rows, key=lambda r: (key(r), r.id), reverse=descending)
    return [email_gid(r) for r in ordered]


def tied_minutes(count: int) -> list[float]:
    """Creation minutes out of insertion order, each shared by two emails:
    0, 6, 1, 8, 3, 9, 4, 11, 6, 1, 7, ... for 23 emails."""
    return [float((i * 13 % count) // 2) for i in range(count)]


# --- forward and backward walks ------------------------------------------------------


@pytest.mark.parametrize(("count", "size"), [(23, 5), (20, 5), (3, 10), (7, 1)])
async def test_forward_walk_lists_every_email_once_with_true_page_info(
    admin, count, size
):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(count))
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    pages = await walk_forward(admin, size)

    assert joined(pages) == expected
    assert [len(p["edges"]) for p in pages] == [
        min(size, count - i) for i in range(0, count, size)
    ]
    for i, page in enumerate(pages):
        assert page["totalCount"] == count
        assert page["pageInfo"]["hasPreviousPage"] is (i > 0)
        assert page["pageInfo"]["hasNextPage"] is (i < len(pages) - 1)


@pytest.mark.parametrize(("count", "size"), [(23, 5), (20, 5), (3, 10), (7, 1)])
async def test_backward_walk_lists_every_email_once_with_true_page_info(
    admin, count, size
):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(count))
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    pages = await walk_backward(admin, size)

    assert joined(pages) == expected
    # The last pages are full; only the first one read last may be short.
    assert [len(p["edges"]) for p in pages][::-1] == [
        min(size, count - i) for i in range(0, count, size)
    ]
    for i, page in enumerate(pages):
        assert page["totalCount"] == count
        assert page["pageInfo"]["hasPreviousPage"] is (i > 0)
        assert page["pageInfo"]["hasNextPage"] is (i < len(pages) - 1)


async def test_paging_back_from_a_page_returns_the_page_before_it(admin):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(12))
    expected = in_order(rows, lambda r: r.created_at, descending=True)
    first = await fetch(admin, first=4)
    second = await fetch(admin, first=4, after=first["pageInfo"]["endCursor"])
    assert node_ids(second) == expected[4:8]

    back = await fetch(admin, last=4, before=second["pageInfo"]["startCursor"])
    assert node_ids(back) == node_ids(first) == expected[:4]
    assert back["pageInfo"]["hasPreviousPage"] is False
    assert back["pageInfo"]["hasNextPage"] is True

    # Between two cursors: only what lies strictly between them.
    inner = await fetch(
        admin,
        first=10,
        after=first["pageInfo"]["startCursor"],
        before=second["pageInfo"]["endCursor"],
    )
    assert node_ids(inner) == expected[1:7]


async def test_default_and_largest_page_sizes(admin):
    _, rows = await seed_emails(admin.organization_id, [float(i) for i in range(23)])
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    default = await fetch(admin)  # no first/last: 20 rows
    assert node_ids(default) == expected[:20]
    assert default["pageInfo"]["hasNextPage"] is True

    largest = await fetch(admin, first=100)
    assert node_ids(largest) == expected
    assert largest["pageInfo"]["hasNextPage"] is False

    assert node_ids(await fetch(admin, last=100)) == expected


async def test_an_empty_result_has_no_cursors_and_no_pages(admin):
    await seed_emails(admin.organization_id, [1, 2, 3])
    for args in ({"first": 5}, {"last": 5}):
        page = await fetch(admin, filter={"subject": "nothing like this"}, **args)
        assert page == {
            "totalCount": 0,
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
            "edges": [],
        }


async def test_walk_of_a_filtered_list_counts_and_lists_only_matches(admin):
    subjects = [("invoice" if i % 3 == 0 else "other") + f" {i}" for i in range(14)]
    _, rows = await seed_emails(admin.organization_id, tied_minutes(14), subjects)
    matching = [r for r in rows if r.subject.startswith("invoice")]
    expected = in_order(matching, lambda r: r.created_at, descending=True)
    filter = {"subject": "invoice"}

    forward = await walk_forward(admin, 2, filter=filter)
    backward = await walk_backward(admin, 2, filter=filter)

    assert joined(forward) == joined(backward) == expected
    assert {p["totalCount"] for p in forward + backward} == {len(matching)}


@pytest.mark.parametrize("field", ["CREATED_AT", "SUBJECT", "LAST_THREAD_EMAIL"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_walks_follow_every_ordering_through_ties(admin, field, descending):
    org = admin.organization_id
    queue = await make_queue(org)
    rows: list[Email] = []
    # Subjects tie in threes; creation times in twos; threads get later replies, so
    # several emails share their thread's last activity.
    for i in range(16):
        thread = None
        if i % 4 == 3:
            thread = await rows[i - 2].email_thread
        rows.append(
            await make_email(
                org,
                queue.id,
                created_at=at(tied_minutes(16)[i]),
                subject=["alpha", "bravo", "charlie", "delta", "echo"][i % 5],
                thread=thread,
            )
        )
    stored = {r.id: r for r in await Email.filter(organization_id=org)}
    key = {
        "CREATED_AT": lambda r: r.created_at,
        "SUBJECT": lambda r: r.subject,
        "LAST_THREAD_EMAIL": lambda r: r.last_thread_email_created_at,
    }[field]
    expected = in_order(list(stored.values()), key, descending)
    order = {"field": field, "descending": descending}

    assert node_ids(await fetch(admin, first=100, orderBy=order)) == expected
    assert joined(await walk_forward(admin, 3, orderBy=order)) == expected
    assert joined(await walk_backward(admin, 3, orderBy=order)) == expected


# --- inserts during a walk -----------------------------------------------------------


class Inserter:
    """Between page fetches, inserts emails around the walk's position: behind it
    (must never show up), tied with it, and ahead of it (must show up once)."""

    def __init__(self, org: int, queue: Queue, key, descending: bool, make) -> None:
        self.org, self.queue, self.key, self.descending = org, queue, key, descending
        self.make = make  # (position row, n) -> list of (created_at, subject)
        self.ahead: set[str] = set()
        self.behind: set[str] = set()
        self.count = 0

    def _is_ahead(self, row: Email, position: Email) -> bool:
        mine, theirs = (self.key(row), row.id), (self.key(position), position.id)
        return mine < theirs if self.descending else mine > theirs

    async def __call__(self, page: dict[str, Any]) -> None:
        if not page["edges"] or not page["pageInfo"]["hasNextPage"]:
            return
        last_pk = int(base64.b64decode(page["edges"][-1]["node"]["id"]).split(b":")[1])
        position = await Email.get(id=last_pk)
        for created_at, subject in self.make(position, self.count):
            row = await make_email(
                self.org, self.queue.id, created_at=created_at, subject=subject
            )
            self.count += 1
            (self.ahead if self._is_ahead(row, position) else self.behind).add(
                email_gid(row)
            )


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
async def test_rows_created_during_a_walk_never_shift_it(admin, descending):
    org = admin.organization_id
    queue, rows = await seed_emails(org, tied_minutes(15))
    originals = in_order(rows, lambda r: r.created_at, descending)

    def around(position: Email, n: int) -> list[tuple[datetime, str]]:
        here = position.created_at
        return [
            (at(1000 + n), "newer than all"),
            (at(-1000 - n), "older than all"),
            (here, "same instant as the position"),
            (here - timedelta(seconds=30), "just older than the position"),
            (here + timedelta(seconds=30), "just newer than the position"),
        ]

    inserter = Inserter(org, queue, lambda r: r.created_at, descending, around)
    order = {"field": "CREATED_AT", "descending": descending}

    pages = await walk_forward(admin, 4, between=inserter, orderBy=order)

    walked = joined(pages)  # nothing listed twice
    assert [i for i in walked if i in set(originals)] == originals  # no gaps, in order
    assert set(walked) - set(originals) == inserter.ahead
    assert not inserter.behind & set(walked)
    assert inserter.ahead and inserter.behind  # both sides were exercised
    # Every page counted the rows that existed when it was read.
    assert pages[0]["totalCount"] == 15
    assert pages[-1]["totalCount"] == 15 + inserter.count
    # And the whole walk is in the requested order.
    stored = {email_gid(r): r for r in await Email.filter(organization_id=org)}
    assert walked == in_order(
        [stored[i] for i in walked], lambda r: r.created_at, descending
    )


async def test_rows_created_during_a_walk_by_subject_never_shift_it(admin):
    org = admin.organization_id
    subjects = [["alpha", "bravo", "charlie"][i % 3] for i in range(18)]
    queue, rows = await seed_emails(org, [float(i) for i in range(18)], subjects)
    originals = in_order(rows, lambda r: r.subject, descending=False)

    def around(position: Email, n: int) -> list[tuple[datetime, str]]:
        return [
            (at(100 + n), position.subject),  # tied subject, larger id: ahead
            (at(200 + n), "aardvark"),  # before every subject: behind
            (at(300 + n), "zulu"),  # after every subject: ahead
            (at(400 + n), "alpha"),  # tied with the first subject
        ]

    inserter = Inserter(org, queue, lambda r: r.subject, False, around)
    order = {"field": "SUBJECT", "descending": False}

    pages = await walk_forward(admin, 4, between=inserter, orderBy=order)

    walked = joined(pages)
    assert [i for i in walked if i in set(originals)] == originals
    assert set(walked) - set(originals) == inserter.ahead
    assert not inserter.behind & set(walked)
    assert inserter.ahead and inserter.behind
    stored = {email_gid(r): r for r in await Email.filter(organization_id=org)}
    assert walked == in_order(
        [stored[i] for i in walked], lambda r: r.subject, descending=False
    )


# --- other connections --------------------------------------------------------------


async def test_email_threads_walk_both_ways_most_recently_active_first(admin):
    org = admin.organization_id
    _, rows = await seed_emails(org, tied_minutes(11))
    # A late reply makes the oldest thread the most recently active one.
    oldest = min(rows, key=lambda r: (r.created_at, r.id))
    await make_email(
        org,
        oldest.queue_id,
        created_at=at(500),
        subject="late reply",
        thread=await oldest.email_thread,
    )
    threads = await EmailThread.filter(organization_id=org)
    assert len(threads) == 11
    expected = [
        gid("EmailThread", t.id)
        for t in sorted(
            threads, key=lambda t: (t.last_email_created_at, t.id), reverse=True
        )
    ]
    assert expected[0] == gid("EmailThread", oldest.email_thread_id)

    forward = await walk_forward(admin, 4, field="emailThreads")
    backward = await walk_backward(admin, 4, field="emailThreads")

    assert joined(forward) == joined(backward) == expected
    assert {p["totalCount"] for p in forward + backward} == {11}
    assert [p["pageInfo"]["hasNextPage"] for p in forward] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in backward] == [False, True, True]


async def test_queues_walk_both_ways_newest_first(admin, make_org):
    org = admin.organization_id
    for i in range(7):
        await make_queue(org, f"Queue {i}")
    other = await make_org("Globex")
    await make_queue(other.organization_id, "Not ours")
    rows = await Queue.filter(organization_id=org)
    expected = [
        gid("Queue", q.id)
        for q in sorted(rows, key=lambda q: (q.created_at, q.id), reverse=True)
    ]

    forward = await walk_forward(admin, 3, field="queues")
    backward = await walk_backward(admin, 3, field="queues")

    assert joined(forward) == joined(backward) == expected
    assert {p["totalCount"] for p in forward + backward} == {7}


# --- invalid arguments ---------------------------------------------------------------

WHEN = "2024-03-01T09:00:00+00:00"
BAD_PAGING = [
    ({"after": "not a cursor"}, "garbage after"),
    ({"before": "not a cursor"}, "garbage before"),
    ({"after": base64.urlsafe_b64encode(b"{not json").decode()}, "not JSON"),
    ({"after": cursor({"created_at": WHEN, "id": 1})}, "not a list"),
    ({"after": cursor([WHEN])}, "too few values"),
    ({"after": cursor([WHEN, 1, 2])}, "too many values"),
    ({"after": cursor(["yesterday", 1])}, "not a timestamp"),
    ({"after": cursor([1709283600, 1])}, "a number for a timestamp"),
    ({"after": cursor([WHEN, "1"])}, "a string for an id"),
    ({"after": cursor([WHEN, True])}, "a boolean for an id"),
    ({"after": cursor([WHEN, 1.5])}, "a fraction for an id"),
    ({"before": cursor([None, 1])}, "null timestamp"),
    ({"after": cursor(["2024-03-01T09:00:00", 1])}, "timestamp without offset"),
    ({"after": cursor([WHEN, 2**31])}, "id beyond 32 bits"),
    ({"after": cursor([WHEN, 2**63])}, "id beyond 64 bits"),
    (
        {"after": cursor([1, 1]), "orderBy": {"field": "SUBJECT"}},
        "a number for a subject",
    ),
    ({"first": 101}, "first above the maximum"),
    ({"last": 101}, "last above the maximum"),
    ({"first": -1}, "negative first"),
    ({"last": -1}, "negative last"),
    ({"first": 5, "last": 5}, "first and last together"),
]


@pytest.mark.parametrize(
    "variables", [v for v, _ in BAD_PAGING], ids=[name for _, name in BAD_PAGING]
)
async def test_invalid_paging_arguments_are_bad_request(admin, variables):
    await seed_emails(admin.organization_id, [1, 2, 3])

    body = await admin.gql(EMAILS, variables)

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_REQUEST", ["emails"])
    ]


@pytest.mark.parametrize("field", ["emailThreads", "queues"])
@pytest.mark.parametrize(
    "variables",
    [
        {"after": "not a cursor"},
        {"before": cursor([WHEN])},
        {"first": 101},
        {"first": 1, "last": 1},
    ],
    ids=["garbage cursor", "short cursor", "first above the maximum", "both"],
)
async def test_other_connections_refuse_invalid_paging_too(admin, field, variables):
    await seed_emails(admin.organization_id, [1, 2])

    body = await admin.gql(CONNECTIONS[field], variables)

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_REQUEST", [field])
    ]


async def test_a_cursor_outlives_the_row_it_came_from(admin):
    # Keyset cursors hold sort values, not positions: deleting the row a cursor was
    # made from does not break or shift the next page.
    _, rows = await seed_emails(admin.organization_id, [float(i) for i in range(6)])
    expected = in_order(rows, lambda r: r.created_at, descending=True)
    page = await fetch(admin, first=2)
    await delete_email(organization_id=admin.organization_id, email_id=rows[-2].id)

    rest = await fetch(admin, first=10, after=page["pageInfo"]["endCursor"])

    assert node_ids(rest) == expected[2:]
    assert rest["totalCount"] == 5
