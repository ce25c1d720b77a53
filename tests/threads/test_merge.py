"""mergeThreads: merged threads hold every email once, and split restores them."""

from typing import Any

import pytest

from app.accounts.models import Role
from app.documents.models import Annotation
from app.mail.models import Email
from tests.factories import make_world
from tests.helpers import (
    assert_forbidden,
    assert_input_error,
    gid_of,
    mutate,
    pk_of,
)
from tests.threads.membership import (
    assert_thread_consistent,
    chain,
    ids_of,
    memberships,
    split,
    thread_members,
)
from tests.triage.api import (
    MERGE,
    SPLIT,
    assert_counts_match_rows,
    email_state,
    org_snapshot,
    tgid,
    thread_state,
)


async def thread_of(email: Email) -> int:
    return (await Email.get(id=email.id)).email_thread_id


async def merge(actor: Any, target: Email, *sources: Email) -> dict[str, Any]:
    return await mutate(
        actor,
        MERGE,
        {
            "target": tgid(await thread_of(target)),
            "sources": [tgid(await thread_of(s)) for s in sources],
        },
    )


# ============================================================================== merge


async def test_merge_two_threads_then_split_restores_them(admin, world):
    # given two threads with replies and annotations
    a = await chain(world, "Invoice 1", 3)
    b = await chain(world, "Invoice 2", 2)
    b_thread = await thread_of(b[0])
    original = {ids_of(a), ids_of(b)}
    assert await memberships(admin.organization_id) == original

    # when B is merged into A
    result = await merge(admin, a[0], b[0])

    # then A holds all five emails, B is gone, B's root is MANUAL-matched to A's root
    assert result["__typename"] == "EmailThread", result
    assert result["id"] == tgid(a[0].email_thread_id)
    assert result["emails"]["totalCount"] == 5
    assert await thread_members(admin, a[0].email_thread_id) == ids_of(a + b)
    assert await thread_state(admin, b_thread) is None
    assert await memberships(admin.organization_id) == {ids_of(a + b)}
    b_root = await email_state(admin, b[0])
    assert b_root["threadMatch"] == {
        "method": "MANUAL",
        "matchedEmail": {"id": gid_of(a[0])},
    }
    assert b_root["emailThread"] == {"id": tgid(a[0].email_thread_id)}
    # B's other emails keep their own match; B's annotations moved with them
    assert (await email_state(admin, b[1]))["threadMatch"]["method"] == "IN_REPLY_TO"
    assert await Annotation.filter(email_thread_id=b_thread).count() == 0
    await assert_thread_consistent(admin, a[0].email_thread_id)
    await assert_counts_match_rows(admin)

    # when B's former root is split off
    result = await split(admin, b[0])

    # then the original memberships are back, B as a new thread rooted at its root
    assert result["__typename"] == "EmailThread", result
    assert result["rootEmail"] == {"id": gid_of(b[0])}
    assert {pk_of(e["node"]["id"]) for e in result["emails"]["edges"]} == ids_of(b)
    assert await memberships(admin.organization_id) == original
    assert await thread_members(admin, a[0].email_thread_id) == ids_of(a)
    b_root = await email_state(admin, b[0])
    assert b_root["threadMatch"] == {"method": "MANUAL", "matchedEmail": None}
    assert b_root["emailThread"] == {"id": result["id"]}
    for email in (a[0], b[0]):
        await assert_thread_consistent(admin, await thread_of(email))
    await assert_counts_match_rows(admin)


@pytest.mark.parametrize("order", [("b", "c"), ("c", "b")], ids=["b-c", "c-b"])
@pytest.mark.parametrize("oldest", ["source", "target"])
async def test_merge_three_threads_then_split_at_each_former_root_restores_them(
    admin, world, order, oldest
):
    # given three threads A (the target), B and C; when B is the oldest, the merged
    # thread's root is B's root
    if oldest == "source":
        b = await chain(world, "Order B", 2)
        a = await chain(world, "Order A", 3)
    else:
        a = await chain(world, "Order A", 3)
        b = await chain(world, "Order B", 2)
    c = await chain(world, "Order C", 2)
    a.append(await world.email("Order A (matched)", thread_of=a[0], matched=a[1]))
    original = {ids_of(a), ids_of(b), ids_of(c)}

    # when B and C are merged into A in one call
    result = await merge(admin, a[0], b[0], c[0])

    # then one thread holds every email, rooted at the oldest email
    assert result["__typename"] == "EmailThread", result
    assert result["emails"]["totalCount"] == len(a + b + c)
    assert await memberships(admin.organization_id) == {ids_of(a + b + c)}
    merged = await thread_of(a[0])
    oldest_root = b[0] if oldest == "source" else a[0]
    assert (await thread_state(admin, merged))["rootEmail"] == {
        "id": gid_of(oldest_root)
    }
    for source in (b[0], c[0]):
        state = await email_state(admin, source)
        assert state["threadMatch"] == {
            "method": "MANUAL",
            "matchedEmail": {"id": gid_of(a[0])},
        }
    await assert_thread_consistent(admin, merged)
    await assert_counts_match_rows(admin)

    # when each former source root is split off (in this order; A's root stays)
    roots = {"b": b[0], "c": c[0]}
    for name in order:
        result = await split(admin, roots[name])
        assert result["__typename"] == "EmailThread", (name, result)
        await assert_counts_match_rows(admin)

    # then the original memberships are restored exactly, and each thread is sound
    assert await memberships(admin.organization_id) == original
    for group in (a, b, c):
        thread_id = await thread_of(group[0])
        assert await thread_members(admin, thread_id) == ids_of(group)
        await assert_thread_consistent(admin, thread_id)
        assert set(
            await Annotation.filter(email_id__in=[e.id for e in group]).values_list(
                "email_thread_id", flat=True
            )
        ) == {thread_id}


async def test_merge_input_errors_change_nothing(admin, world, make_org):
    a = await world.email("A")
    b = await world.email("B")
    elsewhere = await (await make_world(admin)).email("Other queue")
    other = await make_org("Other")
    foreign = await (await make_world(other)).email("Theirs")
    before = await org_snapshot(admin.organization_id)
    cases = [
        ({"target": tgid(a.email_thread_id), "sources": []}, "BAD_REQUEST", "sources"),
        (
            {"target": tgid(a.email_thread_id), "sources": [tgid(a.email_thread_id)]},
            "BAD_REQUEST",
            "sources",
        ),
        (
            {
                "target": tgid(a.email_thread_id),
                "sources": [tgid(b.email_thread_id), tgid(elsewhere.email_thread_id)],
            },
            "BAD_REQUEST",
            "sources",
        ),
        (
            {
                "target": tgid(foreign.email_thread_id),
                "sources": [tgid(b.email_thread_id)],
            },
            "NOT_FOUND",
            "target",
        ),
        (
            {
                "target": tgid(a.email_thread_id),
                "sources": [tgid(b.email_thread_id), tgid(foreign.email_thread_id)],
            },
            "NOT_FOUND",
            "sources",
        ),
        (
            {"target": gid_of(a), "sources": [tgid(b.email_thread_id)]},
            "NOT_FOUND",
            "target",
        ),
    ]
    for variables, code, field in cases:
        assert_input_error(await mutate(admin, MERGE, variables), code, field)
    assert await org_snapshot(admin.organization_id) == before
    assert (await Email.get(id=foreign.id)).email_thread_id == foreign.email_thread_id


async def test_a_viewer_cannot_merge_or_split(admin, world):
    a = await chain(world, "A", 2)
    b = await chain(world, "B", 1)
    viewer = await admin.add_user(Role.VIEWER)
    before = await org_snapshot(admin.organization_id)
    assert_forbidden(
        await viewer.gql(
            MERGE,
            {
                "target": tgid(a[0].email_thread_id),
                "sources": [tgid(b[0].email_thread_id)],
            },
        )
    )
    assert_forbidden(await viewer.gql(SPLIT, {"email": gid_of(a[1])}))
    assert await org_snapshot(admin.organization_id) == before
