"""updateWebhook (ADMIN): url, events, description, enabled (null leaves a value)."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.enums import WebhookEventEnum
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin
from app.graphql.webhooks.types import Webhook
from app.webhooks import service as webhooks

WebhookResult = Annotated[Webhook | InputError, strawberry.union("WebhookResult")]


@strawberry.input
class UpdateWebhookInput:
    id: strawberry.ID
    url: str | None = None
    events: list[WebhookEventEnum] | None = None  # type: ignore[valid-type]
    description: str | None = None
    enabled: bool | None = strawberry.field(
        default=None, description="true also clears failureCount."
    )


@strawberry.type
class UpdateWebhook:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_webhook(
        self, info: Info, input: UpdateWebhookInput
    ) -> WebhookResult:
        row = await webhooks.update_webhook(
            organization_id=info.context.organization_id,
            webhook_id=decode_or_not_found(input.id, "Webhook", field="id"),
            url=input.url,
            events=input.events,
            description=input.description,
            enabled=input.enabled,
        )
        return Webhook.from_model(row)
