"""Walking the connections (`emails`, `emailThreads`, `queues`) page by page, as a
client does, checking each page's cursors; and seeding emails at chosen times."""

from collections.abc import Awaitable, Callable
from typing import Any

from app.mail.models import Email
from tests.factories import at, make_email, make_queue
from tests.helpers import gid_of

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
    return [gid_of(r) for r in ordered]


def tied_minutes(count: int) -> list[float]:
    """Creation minutes out of insertion order, each shared by two emails:
    0, 6, 1, 8, 3, 9, 4, 11, 6, 1, 7, ... for 23 emails."""
    return [float((i * 13 % count) // 2) for i in range(count)]
