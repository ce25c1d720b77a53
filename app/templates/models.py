"""Saved email templates: subject and message with placeholders, and their use."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.accounts.models import Organization
from app.inboxes.models import Queue


class TemplateType(StrEnum):
    CUSTOM = "CUSTOM"
    REJECTION = "REJECTION"
    AUTOMATIC_REJECTION = "AUTOMATIC_REJECTION"


class EmailTemplate(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="email_templates", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue",
        related_name="email_templates",
        null=True,
        on_delete=fields.CASCADE,
    )
    name = fields.CharField(max_length=200)
    # REJECTION / AUTOMATIC_REJECTION templates are used for the notices Mailroom sends.
    type = fields.CharEnumField(
        TemplateType, max_length=32, default=TemplateType.CUSTOM
    )
    subject = fields.CharField(max_length=998, default="")
    message = fields.TextField(default="")
    times_used = fields.IntField(default=0)
    last_used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    modified_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    queue_id: int | None

    class Meta:
        table = "email_template"
        indexes = (("organization_id", "id"),)
