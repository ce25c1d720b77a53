"""`statistics(filter)`: how many emails the filter matches, by delivery status, by
status and by type, from one grouped query (the (organization, type, delivery
status, status) index covers it when the filter adds nothing else)."""

from collections import Counter
from dataclasses import dataclass, field

from tortoise.functions import Count

from app.mail.filters import EmailFilterSpec, filter_emails
from app.mail.models import DeliveryStatus, EmailStatus, EmailType


@dataclass
class EmailStatistics:
    total: int = 0
    by_delivery_status: Counter[DeliveryStatus] = field(default_factory=Counter)
    by_status: Counter[EmailStatus] = field(default_factory=Counter)
    by_type: Counter[EmailType] = field(default_factory=Counter)


async def email_statistics(
    organization_id: int, spec: EmailFilterSpec
) -> EmailStatistics:
    """The counts of the emails `spec` matches (incoming mail has no delivery
    status: it counts by status and type only)."""
    rows = (
        await filter_emails(organization_id, spec)
        .annotate(n=Count("id"))
        .group_by("type", "delivery_status", "status")
        .values_list("type", "delivery_status", "status", "n")
    )
    stats = EmailStatistics()
    for type_, delivery, status, n in rows:
        stats.total += n
        stats.by_type[EmailType(type_)] += n
        stats.by_status[EmailStatus(status)] += n
        if delivery is not None:
            stats.by_delivery_status[DeliveryStatus(delivery)] += n
    return stats
