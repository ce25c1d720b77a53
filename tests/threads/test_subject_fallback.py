"""Threading by subject when the headers say nothing: only with a shared
participant, and only within 30 days."""

from datetime import UTC, datetime, timedelta

from app.mail.models import Email, EmailThread
from tests.helpers import pk_of
from tests.intake.importing import (
    intake_inbox,
)
from tests.threads.threading_api import ALICE, BOB, CAROL, arrive, thread

# ---------------------------------------------------------------------------
# Subject fallback


async def test_subject_fallback_joins_when_a_participant_is_shared(admin, run_jobs):
    # given a message from Alice
    await intake_inbox(admin.organization_id)
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 9",
        message_id="<s1@vendor.test>",
    )
    # when Alice writes again with reply/forward prefixes and list tags, no headers
    subjects = [
        "Re: Invoice 9",
        "Fwd: Invoice 9",
        "AW: Invoice 9",
        "SV: Invoice 9",
        "TR: Invoice 9",
        "RE: [billing] Re: invoice 9",
        "[acme-list] Fw: INVOICE 9",
    ]
    followers = [
        await arrive(
            admin,
            run_jobs,
            sender=ALICE,
            subject=subject,
            message_id=f"<s-{i}@vendor.test>",
        )
        for i, subject in enumerate(subjects)
    ]
    # then each joins the first thread by SUBJECT_PARTICIPANTS
    for follower, subject in zip(followers, subjects, strict=True):
        assert follower["emailThread"] == first["emailThread"], subject
        assert follower["threadMatch"]["method"] == "SUBJECT_PARTICIPANTS", subject
        assert follower["threadMatch"]["matchedEmail"] is not None
    # and so does a stranger who copies Alice (a shared participant)
    copying = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Re: Invoice 9",
        cc="alice@vendor.test",
        message_id="<s-cc@other-vendor.test>",
    )
    assert copying["emailThread"] == first["emailThread"]
    data = await thread(admin, first["emailThread"]["id"])
    assert data["emails"]["totalCount"] == len(subjects) + 2


async def test_subject_fallback_never_joins_strangers(admin, run_jobs):
    # given Alice's message to the inbox, and a second inbox of the same organization
    await intake_inbox(admin.organization_id)
    await intake_inbox(admin.organization_id, "other-inbox@acme.test")
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 9",
        message_id="<n1@vendor.test>",
    )
    # when Bob writes the same subject to the same inbox
    bob = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Re: Invoice 9",
        message_id="<n2@other-vendor.test>",
    )
    # and Carol writes it to both inboxes (inbox addresses are not shared people)
    carol = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="Invoice 9",
        cc="other-inbox@acme.test",
        message_id="<n3@third.test>",
    )
    # then each stranger gets a new thread
    threads = {
        first["emailThread"]["id"],
        bob["emailThread"]["id"],
        carol["emailThread"]["id"],
    }
    assert len(threads) == 3
    assert bob["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    assert carol["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}


async def test_subject_fallback_only_within_30_days(admin, run_jobs):
    # given Alice's thread whose last email is 31 days old
    await intake_inbox(admin.organization_id)
    first = await arrive(
        admin, run_jobs, sender=ALICE, subject="Contract", message_id="<w1@vendor.test>"
    )
    old = datetime.now(UTC) - timedelta(days=31)
    thread_pk = int(pk_of(first["emailThread"]["id"]))
    await EmailThread.filter(id=thread_pk).update(
        created_at=old, last_email_created_at=old
    )
    await Email.filter(email_thread_id=thread_pk).update(
        created_at=old, last_thread_email_created_at=old
    )
    # when Alice writes "Re: Contract" without headers
    late = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Contract",
        message_id="<w2@vendor.test>",
    )
    # then it starts a new thread
    assert late["emailThread"] != first["emailThread"]
    assert late["threadMatch"]["method"] == "NEW_THREAD"
    # and with 29 days it would have joined
    recent = datetime.now(UTC) - timedelta(days=29)
    await EmailThread.filter(id=thread_pk).update(last_email_created_at=recent)
    await Email.filter(id=int(pk_of(late["id"]))).delete()
    await EmailThread.filter(id=int(pk_of(late["emailThread"]["id"]))).delete()
    again = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Contract",
        message_id="<w3@vendor.test>",
    )
    assert again["emailThread"] == first["emailThread"]
