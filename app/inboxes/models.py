"""Queues (where annotations wait for review) and the inboxes that feed them."""

from tortoise import fields
from tortoise.models import Model

from app.accounts.models import Organization


class Queue(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="queues", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "queue"
        indexes = (("organization_id", "id"),)


class Inbox(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="inboxes", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="inboxes", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200, default="")
    # The import `recipient`; stored lower-cased, unique across organizations.
    email = fields.CharField(max_length=320, unique=True)
    # Empty list = every type accepted. Entries like "application/pdf" or "image/*".
    accepted_mime_types: fields.JSONField[list[str]] = fields.JSONField(default=list)
    min_image_bytes = fields.IntField(default=0)
    reject_without_documents = fields.BooleanField(default=False)
    # fnmatch patterns on the sender address; empty list = anyone.
    allowed_sender_patterns: fields.JSONField[list[str]] = fields.JSONField(
        default=list
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int
    queue_id: int

    class Meta:
        table = "inbox"
