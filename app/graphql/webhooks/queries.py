"""`webhooks` and `webhook(id:)` (ADMIN): the organization's endpoints."""

import strawberry

from app.graphql.listing import newest_first
from app.graphql.node import by_global_id
from app.graphql.permissions import IsAdmin
from app.graphql.webhooks.types import Webhook
from app.webhooks.models import Webhook as WebhookModel


@strawberry.type
class WebhookLookups:
    webhook = by_global_id("Webhook", Webhook, permission_classes=[IsAdmin])


@strawberry.type
class WebhookQueries:
    webhooks = newest_first(WebhookModel, Webhook, permission_classes=[IsAdmin])
