"""`emails(orderBy)`: every ordering breaks ties by id; the default is newest first."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from app.mail.models import (
    Email,
)
from tests.factories import at, make_email, make_queue, thread_of
from tests.helpers import gid_of

# --- orderings ----------------------------------------------------------------------

ORDERED = """
query($orderBy: EmailOrder) {
  emails(orderBy: $orderBy, first: 100) {
    nodes { id subject createdAt lastThreadEmailCreatedAt }
  }
}"""


@dataclass
class Ordered:
    emails: dict[str, Email]
    # The sort key of each email for each order field, as the design defines it.
    keys: dict[str, dict[str, Any]]

    def expected(self, field: str, descending: bool) -> list[str]:
        """Global ids sorted by (key, id): ties broken by id, in the same direction."""
        names = sorted(
            self.emails, key=lambda n: (self.keys[field][n], self.emails[n].id)
        )
        if descending:
            names.reverse()
        return [gid_of(self.emails[n]) for n in names]


@pytest.fixture
async def ordered(admin) -> Ordered:
    """Emails whose creation times, subjects and thread activity tie on purpose."""
    org = admin.organization_id
    queue = await make_queue(org)
    e: dict[str, Email] = {}
    created: dict[str, int] = {}

    async def add(name, minute, subject, thread_with=None):
        thread = await thread_of(e[thread_with]) if thread_with else None
        e[name] = await make_email(
            org, queue.id, created_at=at(minute), subject=subject, thread=thread
        )
        created[name] = minute

    await add("a", 10, "bravo")  # thread T1
    await add("b", 20, "alpha")  # thread T2
    await add("c", 20, "bravo")  # thread T3; created with b, subject of a
    await add("d", 30, "charlie", thread_with="a")  # T1 now last active at 30
    await add("e", 5, "alpha", thread_with="b")  # older than T2's last email
    await add("f", 25, "delta")  # thread T4
    await add("g", 30, "alpha")  # thread T5; created with d, subject of b and e
    await add("h", 20, "echo", thread_with="c")  # T3 stays at 20
    # Each email's thread's newest creation time: T1 30, T2 20, T3 20, T4 25, T5 30.
    thread_last = dict(a=30, d=30, b=20, e=20, c=20, h=20, f=25, g=30)
    return Ordered(
        emails=e,
        keys={
            "CREATED_AT": created,
            "SUBJECT": {n: row.subject for n, row in e.items()},
            "LAST_THREAD_EMAIL": thread_last,
        },
    )


@pytest.mark.parametrize("field", ["CREATED_AT", "SUBJECT", "LAST_THREAD_EMAIL"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_every_ordering_breaks_ties_by_id(admin, ordered, field, descending):
    data = await admin.data(
        ORDERED, {"orderBy": {"field": field, "descending": descending}}
    )
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        field, descending
    )


async def test_default_order_is_newest_first_and_descending(admin, ordered):
    data = await admin.data(ORDERED)
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        "CREATED_AT", True
    )
    data = await admin.data(ORDERED, {"orderBy": {"field": "SUBJECT"}})
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        "SUBJECT", True
    )


async def test_last_thread_email_is_the_newest_email_of_the_thread(admin, ordered):
    data = await admin.data(ORDERED, {"orderBy": {"field": "CREATED_AT"}})
    shown = {n["id"]: n["lastThreadEmailCreatedAt"] for n in data["emails"]["nodes"]}
    for name, minute in ordered.keys["LAST_THREAD_EMAIL"].items():
        assert datetime.fromisoformat(shown[gid_of(ordered.emails[name])]) == at(
            minute
        ), name
