"""Rows inserted during a walk neither shift nor repeat the original rows; the
other connections (emailThreads, queues) walk both ways too."""

import base64
from datetime import datetime, timedelta
from typing import Any

import pytest

from app.inboxes.models import Queue
from app.mail.models import Email, EmailThread
from tests.factories import at, make_email, make_queue
from tests.graphql.paging import (
    in_order,
    joined,
    seed_emails,
    tied_minutes,
    walk_backward,
    walk_forward,
)
from tests.helpers import gid, gid_of

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
                gid_of(row)
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
    stored = {gid_of(r): r for r in await Email.filter(organization_id=org)}
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
    stored = {gid_of(r): r for r in await Email.filter(organization_id=org)}
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
