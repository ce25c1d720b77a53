"""redeliverWebhook (ADMIN): the same message again, as a new delivery."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin
from app.graphql.webhooks.types import WebhookDelivery
from app.webhooks import service as webhooks

RedeliverWebhookResult = Annotated[
    WebhookDelivery | InputError, strawberry.union("RedeliverWebhookResult")
]


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: strawberry.ID


@strawberry.type
class RedeliverWebhook:
    @strawberry.mutation(
        description="Queue a new delivery of a delivery's message (same webhook-id "
        "and body) to its webhook, which must be enabled.",
        permission_classes=[IsAdmin],
        extensions=[AsInputError()],
    )
    async def redeliver_webhook(
        self, info: Info, input: RedeliverWebhookInput
    ) -> RedeliverWebhookResult:
        row = await webhooks.redeliver(
            info.context.redis,
            organization_id=info.context.organization_id,
            delivery_id=decode_or_not_found(
                input.delivery_id, "WebhookDelivery", field="deliveryId"
            ),
        )
        return WebhookDelivery.from_model(row)
