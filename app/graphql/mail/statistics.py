"""`statistics(filter)`: email counts by delivery status, status and type."""

import strawberry

from app.graphql.context import Info
from app.graphql.enums import DeliveryStatusEnum, EmailStatusEnum, EmailTypeEnum
from app.graphql.mail.filters import EmailFilter
from app.mail.models import DeliveryStatus, EmailStatus, EmailType
from app.mail.statistics import email_statistics


@strawberry.type
class DeliveryStatusCount:
    delivery_status: DeliveryStatusEnum  # type: ignore[valid-type]
    count: int


@strawberry.type
class EmailStatusCount:
    status: EmailStatusEnum  # type: ignore[valid-type]
    count: int


@strawberry.type
class EmailTypeCount:
    type: EmailTypeEnum  # type: ignore[valid-type]
    count: int


@strawberry.type(
    description="Counts of the emails a filter matches; every value is listed, "
    "zero included, in the enum's order."
)
class EmailStatistics:
    total: int
    by_delivery_status: list[DeliveryStatusCount] = strawberry.field(
        description="Outgoing emails by deliveryStatus (incoming mail has none)."
    )
    by_status: list[EmailStatusCount]
    by_type: list[EmailTypeCount]


@strawberry.type
class StatisticsQueries:
    @strawberry.field(
        description="How many emails match the filter (the emails filter), by "
        "deliveryStatus, status and type; one query whatever their number."
    )
    async def statistics(
        self, info: Info, filter: EmailFilter | None = None
    ) -> EmailStatistics:
        spec = (filter or EmailFilter()).to_spec()
        stats = await email_statistics(info.context.organization_id, spec)
        return EmailStatistics(
            total=stats.total,
            by_delivery_status=[
                DeliveryStatusCount(
                    delivery_status=s, count=stats.by_delivery_status[s]
                )
                for s in DeliveryStatus
            ],
            by_status=[
                EmailStatusCount(status=s, count=stats.by_status[s])
                for s in EmailStatus
            ],
            by_type=[EmailTypeCount(type=t, count=stats.by_type[t]) for t in EmailType],
        )
