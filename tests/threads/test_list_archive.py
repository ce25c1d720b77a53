"""A list archive imported in three shuffled orders threads as an independent JWZ
implementation does: the same threads, the same parents, no pair of messages
joined that JWZ keeps apart; importing it all again creates nothing."""

import random
from itertools import combinations
from typing import Any

from app.tasks.models import Task, TaskStatus
from tests.factories import make_inbox
from tests.helpers import gid_of
from tests.intake.importing import imported_email, queued_task
from tests.threads import jwz_reference
from tests.threads.list_archive import Post, build_archive

EMAILS = """
query Archive($inbox: ID!) {
  emails(filter: {inbox: [$inbox]}, first: 100) {
    totalCount
    edges { node { messageId parent { messageId } emailThread { id } } }
  }
}"""

ORDERS = (1, 2, 3)


async def stored(actor: Any, inbox: Any) -> dict[str, dict[str, Any]]:
    """The inbox's emails by Message-ID, as the API shows them."""
    data = (await actor.data(EMAILS, {"inbox": gid_of(inbox)}))["emails"]
    nodes = [edge["node"] for edge in data["edges"]]
    assert data["totalCount"] == len(nodes)
    return {node["messageId"]: node for node in nodes}


def pairs(thread_of: dict[str, str]) -> set[frozenset[str]]:
    """Every pair of messages that share a thread."""
    return {
        frozenset((a, b))
        for a, b in combinations(sorted(thread_of), 2)
        if thread_of[a] == thread_of[b]
    }


def compare(emails: dict[str, dict[str, Any]], posts: list[Post]) -> dict[str, Any]:
    reference = jwz_reference.thread(p.as_jwz() for p in posts)
    ours = {m: e["emailThread"]["id"] for m, e in emails.items()}
    theirs = {m: p.thread for m, p in reference.items()}
    parents = {m: (e["parent"] or {}).get("messageId") for m, e in emails.items()}
    agree = sum(parents[m] == reference[m].parent for m in reference)
    return {
        "messages": len(emails),
        "parents_agree": agree,
        "wrongly_joined": len(pairs(ours) - pairs(theirs)),
        "wrongly_apart": len(pairs(theirs) - pairs(ours)),
        "threads": len(set(ours.values())),
        "jwz_threads": len(set(theirs.values())),
        "differing_parents": sorted(
            (m, parents[m], reference[m].parent)
            for m in reference
            if parents[m] != reference[m].parent
        ),
    }


async def test_a_list_archive_threads_as_jwz_in_any_arrival_order(
    settings, admin, run_jobs
):
    # One client imports a whole archive: the per-token rate limit is not the test.
    settings(rate_limit_per_minute=1_000_000, rate_limit_per_ip_per_minute=1_000_000)
    posts = build_archive()
    inboxes = []
    for order in ORDERS:
        # given a subscriber inbox (a queue of its own) and the archive shuffled
        inbox = await make_inbox(admin.organization_id, f"subscriber-{order}@acme.test")
        inboxes.append(inbox)
        shuffled = random.Random(order).sample(posts, len(posts))
        # when every message is imported, one after the other in that order
        for post in shuffled:
            await imported_email(admin, run_jobs, post.raw, recipient=inbox.email)
        # then threads and parents are JWZ's
        figures = compare(await stored(admin, inbox), posts)
        print(f"\narrival order {order}: {figures}")
        assert figures["messages"] == len(posts)
        assert figures["wrongly_joined"] == 0
        assert figures["wrongly_apart"] == 0
        assert figures["threads"] == figures["jwz_threads"]
        assert figures["parents_agree"] == len(posts), figures["differing_parents"]

    # when everything is imported again into every inbox, all at once
    before = {inbox.id: await stored(admin, inbox) for inbox in inboxes}
    again = [
        await queued_task(admin, post.raw, recipient=inbox.email)
        for inbox in inboxes
        for post in posts
    ]
    await run_jobs()
    # then every task succeeded on the email already there, and nothing changed
    tasks = await Task.filter(organization_id=admin.organization_id)
    assert {t.status for t in tasks} == {TaskStatus.SUCCEEDED}
    assert len(tasks) == len(posts) * len(ORDERS) * 2 == 2 * len(again)
    for inbox in inboxes:
        assert await stored(admin, inbox) == before[inbox.id]
    print(f"re-import: {len(again)} tasks, 0 new emails, 0 failed")
