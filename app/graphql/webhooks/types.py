"""Webhook and WebhookDelivery; the secret is never a field (createWebhook answers
it once)."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from app.graphql.common import JSON, FromModel
from app.graphql.context import Info
from app.graphql.enums import WebhookDeliveryStatusEnum, WebhookEventEnum
from app.graphql.listing import BY_CREATION
from app.graphql.pagination import Connection, PageArgs, paginate
from app.webhooks.models import WebhookDelivery as WebhookDeliveryModel


@strawberry.type
class WebhookDelivery(relay.Node, FromModel):
    id: relay.NodeID[int]
    event: WebhookEventEnum  # type: ignore[valid-type]
    message_id: str = strawberry.field(
        description="The webhook-id header: the same for each try and redelivery."
    )
    payload: JSON = strawberry.field(description="The JSON body that is sent.")
    status: WebhookDeliveryStatusEnum  # type: ignore[valid-type]
    attempts: int
    response_code: int | None
    last_error: str | None
    next_try_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    webhook_id: strawberry.Private[int]

    @strawberry.field
    async def webhook(self, info: Info) -> "Webhook | None":
        return await Webhook.load(info.context.loaders.webhooks_by_id, self.webhook_id)


@strawberry.type
class Webhook(relay.Node, FromModel):
    id: relay.NodeID[int]
    url: str
    events: list[WebhookEventEnum]  # type: ignore[valid-type]
    description: str
    enabled: bool
    failure_count: int = strawberry.field(
        description="Deliveries that failed in a row; at "
        "WEBHOOK_DISABLE_AFTER_FAILURES the webhook is disabled."
    )
    created_at: datetime

    @strawberry.field(description="Newest first.")
    async def deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDelivery]:
        query: Any = WebhookDeliveryModel.filter(
            organization_id=info.context.organization_id, webhook_id=self.id
        )
        return await paginate(
            query,
            keys=BY_CREATION,
            descending=True,
            args=PageArgs(first=first, after=after, last=last, before=before),
            to_node=WebhookDelivery.from_model,
        )


@strawberry.type(description="A new webhook and its signing secret, shown once.")
class CreatedWebhook:
    webhook: Webhook
    secret: str = strawberry.field(
        description="whsec_ + base64 key; verify each webhook-signature with it."
    )
