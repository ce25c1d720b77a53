"""attachEmail(thread): moving an email and its replies into another thread."""

from app.documents.models import Annotation
from app.mail.models import Email, EmailThread
from tests.factories import make_world
from tests.helpers import gid, gid_of
from tests.threads.membership import (
    assert_thread_consistent,
    chain,
    ids_of,
    memberships,
    thread_members,
)
from tests.triage.api import (
    assert_counts_match_rows,
    attach,
    email_state,
    import_message,
    matching,
    task_state,
    tgid,
    thread_state,
)

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
        "matchedEmail": {"id": gid_of(target[0])},
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
