"""createWebhook (ADMIN): an endpoint for some events; its secret is answered once."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.enums import WebhookEventEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAdmin
from app.graphql.webhooks.types import CreatedWebhook, Webhook
from app.webhooks import service as webhooks

CreateWebhookResult = Annotated[
    CreatedWebhook | InputError, strawberry.union("CreateWebhookResult")
]


@strawberry.input
class CreateWebhookInput:
    url: str = strawberry.field(description="http(s); public addresses only.")
    events: list[WebhookEventEnum]  # type: ignore[valid-type]
    description: str = ""


@strawberry.type
class CreateWebhook:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_webhook(
        self, info: Info, input: CreateWebhookInput
    ) -> CreateWebhookResult:
        row, secret = await webhooks.create_webhook(
            organization_id=info.context.organization_id,
            url=input.url,
            events=input.events,
            description=input.description,
        )
        return CreatedWebhook(webhook=Webhook.from_model(row), secret=secret)
