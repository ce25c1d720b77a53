"""splitThread: the email and its descendants leave, nothing else."""

from app.documents.models import Annotation
from tests.helpers import assert_input_error, gid_of, mutate, pk_of
from tests.threads.membership import (
    assert_thread_consistent,
    chain,
    ids_of,
    memberships,
    split,
    thread_members,
)
from tests.triage.api import (
    SPLIT,
    assert_counts_match_rows,
    email_state,
    org_snapshot,
    tgid,
)

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
    # its parent stayed behind, so it is no longer its parent (issue 12, point 8)
    assert moved["parent"] is None
    assert (await email_state(admin, b))["parent"] == {"id": gid_of(a)}
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
