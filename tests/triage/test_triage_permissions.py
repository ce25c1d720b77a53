"""Who may triage: a viewer reads, and changes nothing."""

from app.accounts.models import Role
from tests.helpers import assert_forbidden, gid_of, mutate
from tests.triage.api import (
    ATTACH,
    CANCEL_TASK,
    DISMISS,
    MARK_READ,
    MERGE,
    SPLIT,
    UPDATE_EMAIL,
    attach,
    dismiss,
    org_snapshot,
    tgid,
)


async def test_a_viewer_cannot_dismiss_attach_merge_split_or_cancel(
    admin, world, run_jobs
):
    # given two threads, a queued task, and a VIEWER
    first = await world.email("First")
    reply = await world.email("Re: First", thread_of=first, parent=first)
    second = await world.email("Second")
    queued = await dismiss(admin, second)
    viewer = await admin.add_user(Role.VIEWER)
    before = await org_snapshot(admin.organization_id)

    # when the viewer tries each triage mutation
    calls = [
        (DISMISS, {"input": {"id": gid_of(first), "rejectAnnotations": True}}),
        (
            ATTACH,
            {"input": {"id": gid_of(first), "thread": tgid(second.email_thread_id)}},
        ),
        (
            MERGE,
            {
                "target": tgid(first.email_thread_id),
                "sources": [tgid(second.email_thread_id)],
            },
        ),
        (SPLIT, {"email": gid_of(reply)}),
        (CANCEL_TASK, {"id": queued["id"]}),
        (UPDATE_EMAIL, {"input": {"id": gid_of(first), "status": "RESOLVED"}}),
    ]
    # then each is ACCESS_FORBIDDEN and nothing changed
    for document, variables in calls:
        assert_forbidden(await viewer.gql(document, variables))
    assert await org_snapshot(admin.organization_id) == before
    # while reading the thread (markThreadRead) is allowed to a viewer
    result = await mutate(viewer, MARK_READ, {"id": tgid(first.email_thread_id)})
    assert result["__typename"] == "EmailThread", result
    # and an ANNOTATOR may triage
    annotator = await admin.add_user(Role.ANNOTATOR)
    assert (await dismiss(annotator, first))["__typename"] == "Task"
    assert (await attach(annotator, second, linkedObject={"type": "t", "id": "1"}))[
        "__typename"
    ] == "Task"
    await run_jobs()
