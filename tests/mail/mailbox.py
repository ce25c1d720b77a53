"""The seeded mailbox of the filter tests: six emails of one organization, keyed by a
short name (subjects are unique), and an organization next door with look-alike
rows."""

from dataclasses import dataclass
from typing import Any

from app.inboxes.models import Inbox, Queue
from app.mail.models import (
    Email,
)
from tests.helpers import gid_of

EMAILS = """
query($filter: EmailFilter, $orderBy: EmailOrder) {
  emails(filter: $filter, orderBy: $orderBy, first: 100) {
    totalCount
    nodes { id subject }
  }
}"""


async def subjects(actor, filter: dict[str, Any] | None) -> set[str]:
    """The subjects the `emails` query returns for a filter (each at most once)."""
    data = await actor.data(EMAILS, {"filter": filter})
    nodes = data["emails"]["nodes"]
    found = [n["subject"] for n in nodes]
    assert len(found) == len(set(found)), f"an email is listed twice: {found}"
    assert data["emails"]["totalCount"] == len(found)
    return set(found)


# --- the seeded mailbox ------------------------------------------------------------


@dataclass
class Mailbox:
    """Six emails of one organization (keyed by a short name; subjects are unique),
    and an organization next door with look-alike rows."""

    emails: dict[str, Email]
    main_queue: Queue
    other_queue: Queue
    inbox: Inbox
    admin_id: int
    manager_id: int
    foreign: dict[str, str]  # global ids of the other organization's objects

    def ids(self, *names: str) -> list[str]:
        return [gid_of(self.emails[n]) for n in names]


SUBJECT = {
    "invoice": "Invoice 1001",
    "reply": "Re: Invoice 1001",
    "po": "Purchase order 77",
    "statement": "Quarterly statement",
    "spam": "Spam offer",
    "bounce": "Delivery failed notice",
}

ALL = set(SUBJECT.values())


def only(*names: str) -> set[str]:
    return {SUBJECT[n] for n in names}


def all_but(*names: str) -> set[str]:
    return ALL - only(*names)
