"""The emails filters as triage changes the states they filter on."""

from app.mail.models import (
    Email,
    EmailType,
)
from tests.factories import make_world
from tests.helpers import gid_of, mutate
from tests.triage.api import UPDATE_EMAIL, attach, dismiss, matching, tgid

# ============================================================================ filters


async def test_emails_filters_follow_the_triage_states(
    admin, world, make_org, smtp_sink, run_jobs
):
    # given emails in every triage state
    dismissed = await world.email("Dismissed and rejected")
    await world.annotation(dismissed)
    resolved = await world.email("Resolved")
    ticket1 = await world.email("Linked to T-1")
    ticket2 = await world.email("Linked to T-2")
    deal = await world.email("Linked to a deal")
    plain = await world.email("Untouched")
    await dismiss(admin, dismissed, rejectAnnotations=True, notifySender=True)
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(resolved), "status": "RESOLVED"}}
    )
    await attach(admin, ticket1, linkedObject={"type": "ticket", "id": "T-1"})
    await attach(admin, ticket2, linkedObject={"type": "ticket", "id": "T-2"})
    await attach(admin, deal, linkedObject={"type": "deal", "id": "T-1"})
    await attach(admin, resolved, linkedObject={"type": "ticket", "id": "T-1"})
    await run_jobs()
    [notice] = await Email.filter(
        organization_id=admin.organization_id, type=EmailType.OUTGOING
    )
    # and another organization with emails in the same states
    other = await make_org("Other")
    theirs = await make_world(other)
    their = await theirs.email("Theirs")
    await dismiss(other, their, rejectAnnotations=True)
    await attach(other, their, linkedObject={"type": "ticket", "id": "T-1"})
    await run_jobs()
    everyone = {
        dismissed.id,
        resolved.id,
        ticket1.id,
        ticket2.id,
        deal.id,
        plain.id,
        notice.id,
    }

    # then each filter returns exactly the right emails, never another organization's
    assert await matching(admin, {}) == everyone
    assert await matching(admin, {"status": ["DISMISSED"]}) == {dismissed.id}
    assert await matching(admin, {"status": ["RESOLVED"]}) == {resolved.id}
    assert await matching(admin, {"status": ["UNRESOLVED"]}) == everyone - {
        dismissed.id,
        resolved.id,
    }
    assert await matching(admin, {"status": ["RESOLVED", "DISMISSED"]}) == {
        dismissed.id,
        resolved.id,
    }
    assert await matching(admin, {"labels": ["REJECTED"]}) == {dismissed.id}
    assert await matching(admin, {"labels": ["REJECTION"]}) == {notice.id}
    assert await matching(admin, {"labels": ["REJECTED", "REJECTION"]}) == {
        dismissed.id,
        notice.id,
    }
    assert await matching(admin, {"labels": ["FORWARDED"]}) == set()
    assert await matching(admin, {"linkedObject": {"type": "ticket"}}) == {
        ticket1.id,
        ticket2.id,
        resolved.id,
    }
    assert await matching(admin, {"linkedObject": {"type": "ticket", "id": "T-1"}}) == {
        ticket1.id,
        resolved.id,
    }
    assert await matching(admin, {"linkedObject": {"type": "deal"}}) == {deal.id}
    assert (
        await matching(admin, {"linkedObject": {"type": "deal", "id": "T-2"}}) == set()
    )
    assert await matching(admin, {"linkedObject": {"type": "TICKET"}}) == set()
    # combined with AND
    assert await matching(
        admin, {"status": ["UNRESOLVED"], "linkedObject": {"type": "ticket"}}
    ) == {ticket1.id, ticket2.id}
    assert (
        await matching(admin, {"status": ["DISMISSED"], "labels": ["REJECTION"]})
        == set()
    )
    assert await matching(
        admin,
        {
            "type": "OUTGOING",
            "labels": ["REJECTION"],
            "thread": tgid(dismissed.email_thread_id),
        },
    ) == {notice.id}

    # when states change again (un-dismissed, and a link on another email)
    await mutate(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid_of(dismissed), "status": "UNRESOLVED"}},
    )
    await attach(admin, plain, linkedObject={"type": "ticket", "id": "T-2"})
    await run_jobs()

    # then the filters follow
    assert await matching(admin, {"status": ["DISMISSED"]}) == set()
    assert await matching(admin, {"linkedObject": {"type": "ticket", "id": "T-2"}}) == {
        ticket2.id,
        plain.id,
    }
    assert await matching(other, {"linkedObject": {"type": "ticket", "id": "T-1"}}) == {
        their.id
    }
    assert await matching(other, {"status": ["DISMISSED"], "labels": ["REJECTED"]}) == {
        their.id
    }
