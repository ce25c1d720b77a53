"""Bounces: a delivery status notification (RFC 3464) for an outgoing email of the
organization marks it BOUNCED, keeps what it said and emits EMAIL_BOUNCED. Called
by the import job, in its transaction, with what the parser read of the report."""

from dataclasses import dataclass
from datetime import datetime

from app.mail.models import DeliveryStatus, Email, EmailType
from app.webhooks.events import email_bounced

# Only mail that left can bounce; a second failed recipient updates the bounce.
_BOUNCEABLE = (DeliveryStatus.SENT, DeliveryStatus.BOUNCED)


@dataclass
class Failure:
    """A per-recipient block with `Action: failed`."""

    recipient: str
    status: str
    diagnostic: str


async def original_email(
    organization_id: int, original_message_id: str, related: list[str]
) -> Email | None:
    """The outgoing email the report is about: the returned message's Message-ID,
    else the In-Reply-To / References ids (last first)."""
    for message_id in dict.fromkeys([original_message_id, *reversed(related)]):
        if not message_id:
            continue
        email = await Email.filter(
            organization_id=organization_id,
            type=EmailType.OUTGOING,
            message_id=message_id,
        ).first()
        if email is not None:
            return email
    return None


async def record_bounce(email: Email, failure: Failure, *, now: datetime) -> list[int]:
    """Mark `email` BOUNCED; the webhook deliveries to enqueue after commit (none
    when it is not mail that was sent)."""
    if email.delivery_status not in _BOUNCEABLE:
        return []
    email.delivery_status = DeliveryStatus.BOUNCED
    email.bounce = {
        "status": failure.status,
        "diagnostic": failure.diagnostic,
        "recipient": failure.recipient,
        "at": now.isoformat(),
    }
    await email.save(update_fields=["delivery_status", "bounce"])
    return await email_bounced(
        organization_id=email.organization_id,
        email_id=email.id,
        message_id=email.message_id,
        status=failure.status,
        detail=failure.diagnostic,
    )
