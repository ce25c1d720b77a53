"""Checking thread membership after a manual operation: every thread's emails
exactly (no email lost or duplicated), roots and reply flags derived, and the
mergeThreads / splitThread calls."""

from typing import Any

from app.mail.models import Email, EmailThread
from tests.factories import World
from tests.helpers import (
    gid_of,
    mutate,
    pk_of,
)
from tests.triage.api import (
    SPLIT,
    thread_state,
)


async def memberships(organization_id: int) -> set[frozenset[int]]:
    """The organization's threads as sets of email ids (thread ids aside)."""
    rows = await Email.filter(organization_id=organization_id).values_list(
        "id", "email_thread_id"
    )
    assert all(thread is not None for _, thread in rows), rows
    groups: dict[int, set[int]] = {}
    for email_id, thread_id in rows:
        groups.setdefault(thread_id, set()).add(email_id)
    threads = set(
        await EmailThread.filter(organization_id=organization_id).values_list(
            "id", flat=True
        )
    )
    assert threads == set(groups), "a thread without emails survived, or the reverse"
    return {frozenset(g) for g in groups.values()}


async def thread_members(actor: Any, thread_id: int) -> set[int]:
    """A thread's emails as GraphQL lists them (and the rows agree)."""
    data = await thread_state(actor, thread_id)
    assert data is not None, thread_id
    listed = {pk_of(edge["node"]["id"]) for edge in data["emails"]["edges"]}
    assert data["emails"]["totalCount"] == len(listed)
    rows = set(
        await Email.filter(email_thread_id=thread_id).values_list("id", flat=True)
    )
    assert listed == rows
    return listed


async def assert_thread_consistent(actor: Any, thread_id: int) -> None:
    """Root is the oldest email, hasReplies iff more than one, dates derived."""
    rows = await Email.filter(email_thread_id=thread_id).order_by("created_at", "id")
    thread = await EmailThread.get(id=thread_id)
    assert thread.root_email_id == rows[0].id
    assert thread.has_replies is (len(rows) > 1)
    assert thread.last_email_created_at == rows[-1].created_at
    assert all(r.last_thread_email_created_at == rows[-1].created_at for r in rows)
    data = await thread_state(actor, thread_id)
    assert data["rootEmail"] == {"id": gid_of(rows[0])}
    assert data["hasReplies"] is (len(rows) > 1)


async def chain(world: World, subject: str, size: int) -> list[Email]:
    """A root and size-1 replies, each answering the previous one, with annotations."""
    emails = [await world.email(subject)]
    for n in range(1, size):
        emails.append(
            await world.email(
                f"Re: {subject} ({n})", thread_of=emails[0], parent=emails[-1]
            )
        )
    for email in emails:
        await world.annotation(email)
    return emails


def ids_of(emails: list[Email]) -> frozenset[int]:
    return frozenset(e.id for e in emails)


async def split(actor: Any, email: Email) -> dict[str, Any]:
    return await mutate(actor, SPLIT, {"email": gid_of(email)})
