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
    # Sent by itself when an annotation of its queue moves into a trigger status.
    AUTOMATIC_STATUS_CHANGED_INFO = "AUTOMATIC_STATUS_CHANGED_INFO"


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
    # AUTOMATIC_STATUS_CHANGED_INFO: the annotation statuses that send it, and
    # whether it is on (other types ignore both).
    trigger_statuses: fields.JSONField[list[str]] = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    times_used = fields.IntField(default=0)
    last_used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    modified_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    queue_id: int | None

    class Meta:
        table = "email_template"
        indexes = (("organization_id", "id"),)


# One AUTOMATIC_STATUS_CHANGED_INFO notice per annotation and status: the unique row
# is written with the notice, so a re-run, a race or a status that comes back sends
# nothing twice. (A comment: tortoise keeps a model's docstring as a table comment.)
class StatusChangeNotice(Model):
    id = fields.IntField(primary_key=True)
    annotation: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Annotation", related_name=False, on_delete=fields.CASCADE
    )
    status = fields.CharField(max_length=16)
    email: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Email", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    annotation_id: int
    email_id: int | None

    class Meta:
        table = "status_change_notice"
        unique_together = (("annotation_id", "status"),)
