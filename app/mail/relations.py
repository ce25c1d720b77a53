"""The rows that relate an email to other things: its labels, its addresses by role,
the Message-IDs it refers to, external objects, annotations and documents. One row
per pair, so that filters on any of them are indexed joins."""

from tortoise import fields
from tortoise.models import Model

from app.documents.models import Annotation, Document
from app.inboxes.models import Queue
from app.mail.models import Email, Label, ParticipantRole


class EmailLabel(Model):
    """One label of one email: a row per label keeps "labels (any of)" indexable."""

    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="label_rows", on_delete=fields.CASCADE
    )
    label = fields.CharEnumField(Label, max_length=40)

    email_id: int

    class Meta:
        table = "email_label"
        unique_together = (("email_id", "label"),)
        indexes = (("label", "email_id"),)


class EmailParticipant(Model):
    """An address on an email, by role: serves the from/to filters and threading."""

    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="participants", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(ParticipantRole, max_length=8)
    address = fields.CharField(max_length=320)

    email_id: int

    class Meta:
        table = "email_participant"
        indexes = (("address", "role"), ("email_id",))


class EmailReference(Model):
    """A Message-ID an email refers to (In-Reply-To or References): lets a parent that
    arrives late find the children that were waiting for it."""

    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="reference_rows", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name=False, on_delete=fields.CASCADE
    )
    message_id = fields.CharField(max_length=998)
    in_reply_to = fields.BooleanField(default=False)

    email_id: int
    queue_id: int

    class Meta:
        table = "email_reference"
        indexes = (("queue_id", "message_id"), ("email_id",))


class EmailLinkedObject(Model):
    """An external object an email is linked to (a ticket, a deal...)."""

    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="linked_object_rows", on_delete=fields.CASCADE
    )
    type = fields.CharField(max_length=100)
    object_id = fields.CharField(max_length=200)
    auto_linked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    email_id: int

    class Meta:
        table = "email_linked_object"
        unique_together = (("email_id", "type", "object_id"),)
        indexes = (("type", "object_id"),)


# An annotation the email is about: related when it is sent, or by attachEmail. (A
# comment, not a docstring: tortoise keeps a model's docstring as its table comment.)
class EmailRelatedAnnotation(Model):
    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="related_annotation_rows", on_delete=fields.CASCADE
    )
    annotation: fields.ForeignKeyRelation[Annotation] = fields.ForeignKeyField(
        "models.Annotation", related_name="related_email_rows", on_delete=fields.CASCADE
    )

    email_id: int
    annotation_id: int

    class Meta:
        table = "email_related_annotation"
        unique_together = (("email_id", "annotation_id"),)
        indexes = (("annotation_id",),)


# A document the email is about: related when it is sent, or by attachEmail.
class EmailRelatedDocument(Model):
    id = fields.IntField(primary_key=True)
    email: fields.ForeignKeyRelation[Email] = fields.ForeignKeyField(
        "models.Email", related_name="related_document_rows", on_delete=fields.CASCADE
    )
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="related_email_rows", on_delete=fields.CASCADE
    )

    email_id: int
    document_id: int

    class Meta:
        table = "email_related_document"
        unique_together = (("email_id", "document_id"),)
