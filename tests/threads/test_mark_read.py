"""markThreadRead: new replies and unread cleared."""

from app.accounts.models import Role
from app.mail.models import EmailThread
from tests.factories import make_world
from tests.helpers import assert_input_error, gid_of, mutate
from tests.triage.api import (
    MARK_READ,
    import_message,
    matching,
    org_snapshot,
    tgid,
    thread_state,
)

THREADS = """query($filter: EmailThreadFilter) {
  emailThreads(filter: $filter, first: 100) { totalCount edges { node { id } } } }
"""


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
    for value in (tgid(root.email_thread_id), gid_of(root), "junk"):
        assert_input_error(
            await mutate(other, MARK_READ, {"id": value}), "NOT_FOUND", "id"
        )
    assert await org_snapshot(admin.organization_id) == before
    assert (await EmailThread.get(id=root.email_thread_id)).has_new_replies is True
