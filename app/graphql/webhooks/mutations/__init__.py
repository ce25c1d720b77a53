"""ADMIN mutations on webhooks, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.webhooks.mutations.create_webhook import CreateWebhook
from app.graphql.webhooks.mutations.delete_webhook import DeleteWebhook
from app.graphql.webhooks.mutations.redeliver_webhook import RedeliverWebhook
from app.graphql.webhooks.mutations.update_webhook import UpdateWebhook

WebhookMutations = merge_types(
    "WebhookMutations", (CreateWebhook, UpdateWebhook, DeleteWebhook, RedeliverWebhook)
)
