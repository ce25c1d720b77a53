"""Webhook (an organization's endpoint and the events it wants) and WebhookDelivery
(one event to one endpoint: its payload, attempts and outcome)."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class WebhookEvent(StrEnum):
    EMAIL_RECEIVED = "EMAIL_RECEIVED"
    EMAIL_SENT = "EMAIL_SENT"
    EMAIL_FAILED = "EMAIL_FAILED"
    EMAIL_BOUNCED = "EMAIL_BOUNCED"
    TASK_FINISHED = "TASK_FINISHED"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Webhook(Model):
    id = fields.IntField(primary_key=True)
    # Typed as plain Model: webhooks sits below the capabilities that emit events.
    organization: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Organization", related_name="webhooks", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    events: fields.JSONField[list[str]] = fields.JSONField(default=list)
    description = fields.CharField(max_length=500, default="")
    enabled = fields.BooleanField(default=True)
    # `whsec_` + base64 of the HMAC key. Kept as is: signing needs the key itself.
    secret = fields.CharField(max_length=100)
    # Deliveries that ended FAILED in a row; reset by a success or by re-enabling.
    failure_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "webhook"
        indexes = (("organization_id", "created_at", "id"),)


class WebhookDelivery(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Organization",
        related_name="webhook_deliveries",
        on_delete=fields.CASCADE,
    )
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event = fields.CharEnumField(WebhookEvent, max_length=32)
    # The `webhook-id` header: the same for every try and redelivery of one event
    # to one endpoint, so a receiver can drop a copy it already handled.
    message_id = fields.CharField(max_length=64)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(
        WebhookDeliveryStatus, max_length=16, default=WebhookDeliveryStatus.PENDING
    )
    attempts = fields.IntField(default=0)
    response_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    # While PENDING: when the next try is due (a job lost past it is re-enqueued).
    next_try_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    organization_id: int
    webhook_id: int

    class Meta:
        table = "webhook_delivery"
        indexes = (
            ("webhook_id", "created_at", "id"),
            ("status", "next_try_at"),
        )
