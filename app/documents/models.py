"""Documents (attachments that were extracted) and their review Annotations."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from app.accounts.models import Organization, User
from app.inboxes.models import Queue

# app.mail sits above this package (see [tool.importlinter]), so the relations to an
# Email or an EmailThread are typed as a plain Model: importing them, even for type
# checking only, would be an import against the layers.


class AnnotationStatus(StrEnum):
    IMPORTING = "IMPORTING"
    TO_REVIEW = "TO_REVIEW"
    REVIEWING = "REVIEWING"
    CONFIRMED = "CONFIRMED"
    EXPORTING = "EXPORTING"
    EXPORTED = "EXPORTED"
    REJECTED = "REJECTED"
    DELETED = "DELETED"
    PURGED = "PURGED"
    FAILED_IMPORT = "FAILED_IMPORT"


PROCESSED = frozenset(
    {AnnotationStatus.CONFIRMED, AnnotationStatus.EXPORTING, AnnotationStatus.EXPORTED}
)


class Document(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="documents", on_delete=fields.CASCADE
    )
    email: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Email", related_name="documents", null=True, on_delete=fields.SET_NULL
    )
    original_file_name = fields.CharField(max_length=255, default="")
    mime_type = fields.CharField(max_length=255, default="application/octet-stream")
    size = fields.BigIntField(default=0)
    sha256 = fields.CharField(max_length=64, default="")
    blob_key = fields.CharField(max_length=200, default="")
    metadata: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int
    email_id: int | None

    class Meta:
        table = "document"
        indexes = (("organization_id", "created_at", "id"), ("email_id",))


class Annotation(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="annotations", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="annotations", on_delete=fields.CASCADE
    )
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document",
        related_name="annotations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    email: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Email", related_name="annotations", null=True, on_delete=fields.SET_NULL
    )
    email_thread: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.EmailThread",
        related_name="annotations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="assigned_annotations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    status = fields.CharEnumField(
        AnnotationStatus, max_length=16, default=AnnotationStatus.IMPORTING
    )
    metadata: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # What the reviewer entered, by field name.
    values: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    modified_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    queue_id: int
    document_id: int | None
    email_id: int | None
    email_thread_id: int | None
    assignee_id: int | None

    class Meta:
        table = "annotation"
        indexes = (
            ("organization_id", "created_at", "id"),
            ("email_id", "status"),
            ("email_thread_id", "status"),
            ("document_id",),
        )
