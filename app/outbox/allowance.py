"""Send accounting shared by the send pipeline and `limits`."""

from app.accounts.models import Organization
from app.mail.models import DeliveryStatus, Email, EmailType

# Emails that used up the organization's allowance (cancelled ones gave it back).
_COUNTED = [s for s in DeliveryStatus if s is not DeliveryStatus.CANCELLED]


async def send_limit_left(org: Organization) -> int | None:
    if org.send_limit is None:
        return None
    used = await Email.filter(
        organization_id=org.id, type=EmailType.OUTGOING, delivery_status__in=_COUNTED
    ).count()
    return max(org.send_limit - used, 0)
