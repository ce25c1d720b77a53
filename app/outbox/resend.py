"""resendEmail: a FAILED outgoing email sent again, as a new try, by a person's
decision. The send job never repeats a FAILED email by itself: a refusal would be
refused again, and a DELIVERY_UNCERTAIN one may already have arrived."""

from datetime import UTC, datetime

from arq.connections import ArqRedis

from app.accounts.models import User
from app.core.errors import Conflict
from app.mail.models import DeliveryStatus, Email
from app.mail.service import get_email
from app.outbox.jobs import try_entry, with_try
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit


async def resend_email(
    redis: ArqRedis, *, organization_id: int, email_id: int, user: User
) -> Task:
    """Put a FAILED email back to QUEUED and submit a new send task for it; the
    task the client polls.

    The email stays the same row: the same Message-ID (so a receiver that did get
    an uncertain delivery can drop the copy), tryCount goes on counting (the resend
    gets SEND_MAX_TRIES tries of its own), and
    lastTries records the resend and who decided it. The new task sends the
    message the first send rendered (its task's payload: the full bodies and the
    attachments), so a resend never sends anything the first send did not mean.

    The organization's send limit is not charged again: the allowance counts
    outgoing emails (every one but CANCELLED, see `allowance`), and a FAILED email
    still holds the share it took when it was queued. A resend creates no email,
    reaches the same recipients with the same message, so it neither uses more of
    the limit nor needs any left.

    Two resends at once queue one send: the FAILED -> QUEUED update is conditional,
    in the transaction of the new task, and the loser's Conflict rolls its task
    back."""
    email = await get_email(organization_id=organization_id, email_id=email_id)
    if email.delivery_status is not DeliveryStatus.FAILED:
        raise _not_failed(email)
    if email.send_before is not None and datetime.now(UTC) >= email.send_before:
        raise Conflict(
            "The email's sendBefore has passed; it is not sent any more.", field="id"
        )
    earlier = (
        await Task.filter(email_id=email.id, kind=TaskKind.SEND_EMAIL)
        .order_by("-created_at")
        .first()
    )
    if earlier is None:
        raise Conflict(
            "The email's rendered message is no longer kept (its send task was "
            "purged); send it again with sendEmail.",
            field="id",
        )

    async def requeue() -> int:
        current = await Email.get(id=email.id)
        changed = await Email.filter(
            id=email.id, delivery_status=DeliveryStatus.FAILED
        ).update(
            delivery_status=DeliveryStatus.QUEUED,
            failed_at=None,
            last_tries=with_try(
                current, try_entry("RESEND", f"resent by {user.email}")
            ),
        )
        if not changed:  # another resend (or the job) changed it since our read
            raise _not_failed(await Email.get(id=email.id))
        return email.id

    return await submit(
        redis,
        kind=TaskKind.SEND_EMAIL,
        organization_id=organization_id,
        creator_id=user.id,
        # The first send's message; its retries count from this resend on.
        payload={**earlier.payload, "tries_before": email.try_count},
        prepare=requeue,
    )


def _not_failed(email: Email) -> Conflict:
    state = email.delivery_status.value if email.delivery_status else "incoming"
    return Conflict(
        f"The email is {state}; only a FAILED outgoing email can be resent.",
        field="id",
    )
