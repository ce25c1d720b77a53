"""Manual thread operations through GraphQL: mergeThreads, splitThread, markThreadRead,
and attachEmail(thread) moves. After each one the membership of every thread is
checked exactly (no email lost or duplicated), threadMatch records MANUAL, and the
annotationCounts equal a recount of the rows."""

from typing import Any

import pytest

from app.accounts.models import Role
from app.documents.models import Annotation
from app.mail.models import Email, EmailThread
from tests.test_triage import (
    MARK_READ,
    MERGE,
    SPLIT,
    World,
    assert_counts_match_rows,
    assert_forbidden,
    assert_input_error,
    attach,
    egid,
    email_state,
    gid,
    import_message,
    make_world,
    matching,
    mutate,
    org_snapshot,
    pk_of,
    task_state,
    tgid,
    thread_state,
)

THREADS = """query($filter: EmailThreadFilter) {
  emailThreads(filter: $filter, first: 100) { totalCount edges { node { id } } } }
"""


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


async def thread_of(email: Email) -> int:
    return (await Email.get(id=email.id)).email_thread_id


async def assert_thread_consistent(actor: Any, thread_id: int) -> None:
    """Root is the oldest email, hasReplies iff more than one, dates derived."""
    rows = await Email.filter(email_thread_id=thread_id).order_by("created_at", "id")
    thread = await EmailThread.get(id=thread_id)
    assert thread.root_email_id == rows[0].id
    assert thread.has_replies is (len(rows) > 1)
    assert thread.last_email_created_at == rows[-1].created_at
    assert all(r.last_thread_email_created_at == rows[-1].created_at for r in rows)
    data = await thread_state(actor, thread_id)
    assert data["rootEmail"] == {"id": egid(rows[0])}
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


async def merge(actor: Any, target: Email, *sources: Email) -> dict[str, Any]:
    return await mutate(
        actor,
        MERGE,
        {
            "target": tgid(await thread_of(target)),
            "sources": [tgid(await thread_of(s)) for s in sources],
        },
    )


async def split(actor: Any, email: Email) -> dict[str, Any]:
    return await mutate(actor, SPLIT, {"email": egid(email)})


@pytest.fixture
async def world(admin) -> World:
    return await make_world(admin, "in@acme.test")


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
        "matchedEmail": {"id": egid(a[0])},
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
    assert result["rootEmail"] == {"id": egid(b[0])}
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
    assert (await thread_state(admin, merged))["rootEmail"] == {"id": egid(oldest_root)}
    for source in (b[0], c[0]):
        state = await email_state(admin, source)
        assert state["threadMatch"] == {
            "method": "MANUAL",
            "matchedEmail": {"id": egid(a[0])},
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
            {"target": egid(a), "sources": [tgid(b.email_thread_id)]},
            "NOT_FOUND",
            "target",
        ),
    ]
    for variables, code, field in cases:
        assert_input_error(await mutate(admin, MERGE, variables), code, field)
    assert await org_snapshot(admin.organization_id) == before
    assert (await Email.get(id=foreign.id)).email_thread_id == foreign.email_thread_id


# ============================================================================== split


async def test_split_mid_thread_takes_the_email_and_its_descendants_only(admin, world):
    # given root -> a -> b, root -> c, and d matched into the thread through a
    root = await world.email("Quote 5")
    a = await world.email("Re: Quote 5", thread_of=root, parent=root)
    b = await world.email("Re: Re: Quote 5", thread_of=root, parent=a)
    c = await world.email("Re: Quote 5 (other)", thread_of=root, parent=root)
    d = await world.email("Quote 5", thread_of=root, matched=a)
    for email in (root, a, b, c, d):
        await world.annotation(email)
    source = root.email_thread_id

    # when a is split off
    result = await split(admin, a)

    # then a, b and d form the new thread; root and c stay
    assert result["__typename"] == "EmailThread", result
    new = pk_of(result["id"])
    assert await thread_members(admin, new) == {a.id, b.id, d.id}
    assert await thread_members(admin, source) == {root.id, c.id}
    assert await memberships(admin.organization_id) == {
        frozenset({a.id, b.id, d.id}),
        frozenset({root.id, c.id}),
    }
    moved = await email_state(admin, a)
    assert moved["threadMatch"] == {"method": "MANUAL", "matchedEmail": None}
    assert moved["parent"] == {"id": egid(root)}  # the reply relation itself is kept
    assert (await email_state(admin, b))["threadMatch"]["method"] == "IN_REPLY_TO"
    for thread_id in (new, source):
        await assert_thread_consistent(admin, thread_id)
    await assert_counts_match_rows(admin)


async def test_split_input_errors(admin, world, make_org):
    # given an email alone in its thread, and a thread of two
    alone = await world.email("Alone")
    root = await world.email("Pair")
    await world.email("Re: Pair", thread_of=root, parent=root)
    before = await org_snapshot(admin.organization_id)

    # then splitting the lone email, or a forged id, is an InputError on email
    assert_input_error(await split(admin, alone), "BAD_REQUEST", "email")
    assert_input_error(
        await mutate(admin, SPLIT, {"email": tgid(root.email_thread_id)}),
        "NOT_FOUND",
        "email",
    )
    assert await org_snapshot(admin.organization_id) == before


async def test_split_of_another_organizations_email_is_not_found_on_email(
    admin, world, make_org
):
    """APP BUG (minor): splitThread looks the email up with app.mail.service.get_email,
    which raises NotFound(field="id"); the mutation's input field is `email`
    (app/graphql/mutations/triage.py, split_thread). A forged id says "email"."""
    root = await world.email("Pair")
    await world.email("Re: Pair", thread_of=root, parent=root)
    other = await make_org("Other")
    before = await org_snapshot(admin.organization_id)
    result = await split(other, root)
    assert await org_snapshot(admin.organization_id) == before
    assert_input_error(result, "NOT_FOUND", "email")


async def test_split_at_a_root_every_email_descends_from_is_refused(admin, world):
    """APP BUG: splitting at an email whose descendants are the whole thread (a plain
    reply chain's root, or the target root of a merge) "splits" nothing: every email
    moves to a brand-new thread and the old thread is deleted
    (app/mail/threads.py split_thread -> move_subtree -> recompute_thread). The
    thread id clients hold goes dead, and annotations that joined the thread without
    an email of it (attachEmail) lose their thread. The guard in
    app/graphql/mutations/triage.py split_thread only refuses an email alone."""
    # given a root with two replies, and an annotation attached to the thread
    emails = await chain(world, "Chain", 3)
    thread_id = emails[0].email_thread_id
    loose = await world.annotation(None, thread_id=thread_id)

    # when the root is split
    result = await split(admin, emails[0])

    # then it is refused like an email alone, and the thread is untouched
    assert_input_error(result, "BAD_REQUEST", "email")
    assert await thread_members(admin, thread_id) == ids_of(emails)
    assert (await Annotation.get(id=loose.id)).email_thread_id == thread_id


# ====================================================================== attach (move)


async def test_attach_moves_a_reply_and_its_replies_without_losing_any(
    admin, world, run_jobs
):
    # given a source thread root -> a -> b, root -> c, and a target thread of two
    root = await world.email("Source")
    a = await world.email("Re: Source", thread_of=root, parent=root)
    b = await world.email("Re: Re: Source", thread_of=root, parent=a)
    c = await world.email("Re: Source 2", thread_of=root, parent=root)
    target = await chain(world, "Target", 2)
    for email in (root, a, b, c):
        await world.annotation(email)
    source = root.email_thread_id
    total = await Email.filter(organization_id=admin.organization_id).count()

    # when a is attached to the target thread
    result = await attach(admin, a, thread=tgid(target[0].email_thread_id))
    assert result["__typename"] == "Task", result
    await run_jobs()

    # then a and b moved (exactly), root and c stayed, nothing was lost
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    assert await thread_members(admin, target[0].email_thread_id) == ids_of(target) | {
        a.id,
        b.id,
    }
    assert await thread_members(admin, source) == {root.id, c.id}
    assert await Email.filter(organization_id=admin.organization_id).count() == total
    moved = await email_state(admin, a)
    assert moved["threadMatch"] == {
        "method": "MANUAL",
        "matchedEmail": {"id": egid(target[0])},
    }
    assert moved["emailThread"] == {"id": tgid(target[0].email_thread_id)}
    for thread_id in (source, target[0].email_thread_id):
        await assert_thread_consistent(admin, thread_id)
    await assert_counts_match_rows(admin)
    assert await matching(admin, {"thread": tgid(source)}) == {root.id, c.id}

    # when the same attach runs again
    again = await attach(admin, a, thread=tgid(target[0].email_thread_id))
    await run_jobs()

    # then nothing changes
    assert (await task_state(admin, again["id"]))["status"] == "SUCCEEDED"
    assert await thread_members(admin, source) == {root.id, c.id}
    assert await thread_members(admin, target[0].email_thread_id) == ids_of(target) | {
        a.id,
        b.id,
    }


async def test_attach_moving_a_root_moves_the_whole_thread_and_the_source_is_gone(
    admin, world, run_jobs
):
    # given a source thread whose emails all hang off its root (replies and a subject
    # match), and a target thread
    root = await world.email("Source")
    reply = await world.email("Re: Source", thread_of=root, parent=root)
    matched = await world.email("Source", thread_of=root, matched=reply)
    loose = await world.annotation(None, thread_id=None)
    target = await chain(world, "Target", 1)
    source = root.email_thread_id

    # when the root is attached to the target thread, with a thread-less annotation
    result = await attach(
        admin,
        root,
        thread=tgid(target[0].email_thread_id),
        annotations=[gid("Annotation", loose.id)],
    )
    await run_jobs()

    # then every email of the source is in the target, and the source thread is gone
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    assert await thread_members(admin, target[0].email_thread_id) == ids_of(target) | {
        root.id,
        reply.id,
        matched.id,
    }
    assert await thread_state(admin, source) is None
    assert not await EmailThread.exists(id=source)
    assert await memberships(admin.organization_id) == {
        ids_of(target) | {root.id, reply.id, matched.id}
    }
    # the thread-less annotation joined the email's new thread
    assert (await Annotation.get(id=loose.id)).email_thread_id == target[
        0
    ].email_thread_id
    await assert_thread_consistent(admin, target[0].email_thread_id)
    await assert_counts_match_rows(admin)


async def test_attach_moving_a_whole_thread_keeps_its_attached_annotations_in_a_thread(
    admin, world, run_jobs
):
    """APP BUG: an annotation that joined a thread through attachEmail (it has no email
    of that thread) is left behind when attachEmail moves every email of the thread
    elsewhere: recompute_thread deletes the emptied thread and the annotation's
    email_thread_id becomes NULL (app/mail/threads.py move_subtree moves only
    annotations whose email moved). mergeThreads, which does the same thing to the
    emails, keeps such annotations (merge_threads moves by email_thread_id)."""
    # given a thread of two with a thread-less annotation attached to its root
    root = await world.email("Source")
    await world.email("Re: Source", thread_of=root, parent=root)
    loose = await world.annotation(None, thread_id=None)
    await attach(admin, root, annotations=[gid("Annotation", loose.id)])
    await run_jobs()
    assert (await Annotation.get(id=loose.id)).email_thread_id == root.email_thread_id
    target = await world.email("Target")

    # when the root (so every email of the thread) is attached to another thread
    await attach(admin, root, thread=tgid(target.email_thread_id))
    await run_jobs()

    # then the attached annotation is in the thread its emails went to, as after a merge
    assert not await EmailThread.exists(id=root.email_thread_id)
    assert (await Annotation.get(id=loose.id)).email_thread_id == target.email_thread_id


async def test_attach_moves_an_imported_thread_linked_by_in_reply_to(admin, run_jobs):
    # given real messages imported through importEmail: a conversation of four (each
    # answering the previous by In-Reply-To, with a PDF each) and another thread
    world = await make_world(admin, "in@acme.test")
    first = await import_message(
        admin,
        run_jobs,
        world,
        subject="PO 88",
        message_id="<po88-1@vendor.test>",
        attachment="po1.pdf",
    )
    conversation = [first]
    for n in range(2, 5):
        conversation.append(
            await import_message(
                admin,
                run_jobs,
                world,
                subject="Re: PO 88",
                message_id=f"<po88-{n}@vendor.test>",
                in_reply_to=f"<po88-{n - 1}@vendor.test>",
                attachment=f"po{n}.pdf",
            )
        )
    other = await import_message(
        admin,
        run_jobs,
        world,
        subject="Unrelated",
        sender="Carol <carol@third.test>",
        message_id="<x1@third.test>",
        attachment="x.pdf",
    )
    source = first.email_thread_id
    assert await thread_members(admin, source) == ids_of(conversation)
    assert await Annotation.filter(email_thread_id=source).count() == 4

    # when the third message is attached to the other thread
    result = await attach(admin, conversation[2], thread=tgid(other.email_thread_id))
    await run_jobs()

    # then it and the fourth (its reply) moved with their annotations; nothing lost
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    assert await thread_members(admin, other.email_thread_id) == ids_of(
        [other, *conversation[2:]]
    )
    assert await thread_members(admin, source) == ids_of(conversation[:2])
    assert await Annotation.filter(email_thread_id=source).count() == 2
    assert await Annotation.filter(email_thread_id=other.email_thread_id).count() == 3
    await assert_counts_match_rows(admin)

    # when a late reply to the fourth message arrives
    late = await import_message(
        admin,
        run_jobs,
        world,
        subject="Re: PO 88",
        message_id="<po88-5@vendor.test>",
        in_reply_to="<po88-4@vendor.test>",
    )

    # then it follows its parent into the thread it was moved to
    assert (await Email.get(id=late.id)).email_thread_id == other.email_thread_id
    data = await thread_state(admin, other.email_thread_id)
    assert data["hasNewReplies"] is True


# ========================================================================= mark read


async def test_mark_thread_read_clears_new_replies_and_unread(admin, run_jobs):
    # given an imported message and a reply to it (so the thread has new replies)
    world = await make_world(admin, "in@acme.test")
    first = await import_message(
        admin, run_jobs, world, subject="Claim 3", message_id="<claim3@vendor.test>"
    )
    reply = await import_message(
        admin,
        run_jobs,
        world,
        subject="Re: Claim 3",
        message_id="<claim3-2@vendor.test>",
        in_reply_to="<claim3@vendor.test>",
    )
    untouched = await import_message(
        admin, run_jobs, world, subject="Other", message_id="<other@vendor.test>"
    )
    thread_id = first.email_thread_id
    assert reply.email_thread_id == thread_id
    data = await thread_state(admin, thread_id)
    assert (data["hasReplies"], data["hasNewReplies"]) == (True, True)
    new_replies = await admin.data(THREADS, {"filter": {"hasNewReplies": True}})
    assert [e["node"]["id"] for e in new_replies["emailThreads"]["edges"]] == [
        tgid(thread_id)
    ]
    assert await matching(admin, {"unread": True}) == {first.id, reply.id, untouched.id}

    # when a viewer marks the thread read
    viewer = await admin.add_user(Role.VIEWER)
    result = await mutate(viewer, MARK_READ, {"id": tgid(thread_id)})

    # then it has no new replies and its emails are read; the other thread is untouched
    assert result == {
        "__typename": "EmailThread",
        "id": tgid(thread_id),
        "hasNewReplies": False,
    }
    assert (await thread_state(admin, thread_id))["hasNewReplies"] is False
    assert await matching(admin, {"unread": True}) == {untouched.id}
    assert await matching(admin, {"unread": False}) == {first.id, reply.id}
    none = await admin.data(THREADS, {"filter": {"hasNewReplies": True}})
    assert none["emailThreads"]["totalCount"] == 0

    # when it is marked read again, then nothing changes
    again = await mutate(admin, MARK_READ, {"id": tgid(thread_id)})
    assert again["hasNewReplies"] is False

    # when another reply arrives, then the thread has new replies again
    await import_message(
        admin,
        run_jobs,
        world,
        subject="Re: Claim 3",
        message_id="<claim3-3@vendor.test>",
        in_reply_to="<claim3-2@vendor.test>",
    )
    assert (await thread_state(admin, thread_id))["hasNewReplies"] is True


async def test_mark_thread_read_of_another_organization_is_not_found(
    admin, world, make_org
):
    root = await world.email("Ours")
    await world.email("Re: Ours", thread_of=root, parent=root)
    other = await make_org("Other")
    before = await org_snapshot(admin.organization_id)
    for value in (tgid(root.email_thread_id), egid(root), "junk"):
        assert_input_error(
            await mutate(other, MARK_READ, {"id": value}), "NOT_FOUND", "id"
        )
    assert await org_snapshot(admin.organization_id) == before
    assert (await EmailThread.get(id=root.email_thread_id)).has_new_replies is True


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
    assert_forbidden(await viewer.gql(SPLIT, {"email": egid(a[1])}))
    assert await org_snapshot(admin.organization_id) == before
