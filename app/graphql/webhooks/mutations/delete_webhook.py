"""deleteWebhook (ADMIN): the webhook and its deliveries' records."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin
from app.webhooks import service as webhooks


@strawberry.type
class DeleteWebhookPayload:
    id: strawberry.ID


DeleteWebhookResult = Annotated[
    DeleteWebhookPayload | InputError, strawberry.union("DeleteWebhookResult")
]


@strawberry.input
class DeleteWebhookInput:
    id: strawberry.ID


@strawberry.type
class DeleteWebhook:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def delete_webhook(
        self, info: Info, input: DeleteWebhookInput
    ) -> DeleteWebhookResult:
        await webhooks.delete_webhook(
            organization_id=info.context.organization_id,
            webhook_id=decode_or_not_found(input.id, "Webhook", field="id"),
        )
        return DeleteWebhookPayload(id=input.id)
