"""A dismissal against updateEmail's status and unread, dismissEmail's input
errors, and cancelling a dismiss task."""

import pytest

from app.accounts.models import Role
from app.mail.models import (
    Email,
    EmailType,
)
from app.tasks.models import Task
from tests.factories import make_world
from tests.helpers import assert_input_error, gid, gid_of, mutate
from tests.triage.api import (
    CANCEL_TASK,
    DISMISS,
    UPDATE_EMAIL,
    annotation_statuses,
    dismiss,
    email_state,
    matching,
    org_snapshot,
    task_state,
)


@pytest.mark.parametrize("status", ["UNRESOLVED", "RESOLVED"])
async def test_update_email_status_clears_the_dismissal(admin, world, run_jobs, status):
    # given a dismissed email
    email = await world.email()
    await dismiss(admin, email, rejectAnnotations=True)
    await run_jobs()
    assert (await email_state(admin, email))["status"] == "DISMISSED"

    # when its status is set through updateEmail
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": status}}
    )

    # then the dismissal is gone (the REJECTED label stays: it records what happened)
    assert result["__typename"] == "Email", result
    assert (result["status"], result["dismissedAt"], result["dismissedBy"]) == (
        status,
        None,
        None,
    )
    row = await Email.get(id=email.id)
    assert (row.status.value, row.dismissed_at, row.dismissed_by_id) == (
        status,
        None,
        None,
    )
    assert result["labels"] == ["REJECTED"]
    assert await matching(admin, {"status": ["DISMISSED"]}) == set()


async def test_an_email_unresolved_after_a_dismissal_can_be_dismissed_again(
    admin, world, smtp_sink, run_jobs
):
    # given an email dismissed (with a notice), then set back to UNRESOLVED
    email = await world.email()
    await dismiss(admin, email, notifySender=True)
    await run_jobs()
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "UNRESOLVED"}}
    )

    # when it is dismissed again by another user
    annotator = await admin.add_user(Role.ANNOTATOR)
    await dismiss(annotator, email, notifySender=True)
    await run_jobs()

    # then it is a new dismissal: DISMISSED by that user, and a second notice was sent
    data = await email_state(admin, email)
    assert data["status"] == "DISMISSED"
    assert data["dismissedBy"] == {"id": gid("User", annotator.user_id)}
    assert len(smtp_sink.received) == 2


async def test_update_email_refuses_to_dismiss_and_sets_unread(admin, world):
    email = await world.email()
    # when updateEmail asks for DISMISSED
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "DISMISSED"}}
    )
    # then it is an InputError on status and the email is unchanged
    assert_input_error(result, "BAD_REQUEST", "status")
    assert (await Email.get(id=email.id)).status.value == "UNRESOLVED"
    # and unread is set both ways, and the unread filter follows
    assert await matching(admin, {"unread": True}) == {email.id}
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "unread": False}}
    )
    assert (result["unread"], result["status"]) == (False, "UNRESOLVED")
    assert await matching(admin, {"unread": True}) == set()
    assert await matching(admin, {"unread": False}) == {email.id}
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "unread": True}}
    )
    assert result["unread"] is True


async def test_dismissing_an_outgoing_email_is_an_input_error(admin, world):
    # given an outgoing email
    outgoing = await world.email("Our answer", type=EmailType.OUTGOING)
    before = await org_snapshot(admin.organization_id)

    # when it is dismissed, with or without options
    for options in ({}, {"notifySender": True}, {"rejectAnnotations": True}):
        result = await dismiss(admin, outgoing, **options)
        # then InputError on id (triage is for incoming mail); no task, no change
        assert_input_error(result, "BAD_REQUEST", "id")
        assert "incoming" in result["message"]
    assert await org_snapshot(admin.organization_id) == before
    assert await Task.filter(organization_id=admin.organization_id).count() == 0


async def test_dismiss_input_errors(admin, world, make_org):
    email = await world.email()
    other = await make_org("Other")
    foreign = await (await make_world(other)).email()
    before = await org_snapshot(admin.organization_id)
    # another organization's email, a forged id, an id of another type: NOT_FOUND
    for value in (
        gid_of(foreign),
        "garbage",
        gid("EmailThread", email.email_thread_id),
    ):
        result = await mutate(admin, DISMISS, {"input": {"id": value}})
        assert_input_error(result, "NOT_FOUND", "id")
    # a reason over 2000 characters
    result = await dismiss(admin, email, reason="x" * 2001)
    assert_input_error(result, "BAD_REQUEST", "reason")
    assert await org_snapshot(admin.organization_id) == before
    assert (await Email.get(id=foreign.id)).status.value == "UNRESOLVED"


async def test_cancel_a_queued_dismiss_task(admin, world, smtp_sink, run_jobs):
    # given a dismiss queued and not yet run
    email = await world.email()
    note = await world.annotation(email)
    result = await dismiss(admin, email, rejectAnnotations=True, notifySender=True)
    before = await org_snapshot(admin.organization_id)

    # when the task is cancelled before any worker runs
    cancelled = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert cancelled["__typename"] == "Task", cancelled
    assert cancelled["status"] == "CANCELLED" and cancelled["finishedAt"]
    # (cancelling it again answers the same)
    again = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert again["status"] == "CANCELLED"

    # then running the worker changes nothing and sends nothing
    await run_jobs()
    assert (await task_state(admin, result["id"]))["status"] == "CANCELLED"
    assert await org_snapshot(admin.organization_id) == before
    assert await annotation_statuses(note) == ["TO_REVIEW"]
    assert smtp_sink.received == []


async def test_cancel_a_finished_dismiss_task_is_a_conflict(
    admin, world, make_org, run_jobs
):
    email = await world.email()
    result = await dismiss(admin, email)
    await run_jobs()
    # a SUCCEEDED task cannot be cancelled
    cancelled = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert_input_error(cancelled, "CONFLICT", "id")
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    # and another organization cannot even see a queued one
    queued = await dismiss(admin, await world.email())
    other = await make_org("Other")
    assert_input_error(
        await mutate(other, CANCEL_TASK, {"id": queued["id"]}), "NOT_FOUND", "id"
    )
    assert (await task_state(admin, queued["id"]))["status"] == "QUEUED"
