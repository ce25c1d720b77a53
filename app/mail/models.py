"""Emails and their threads. The rows relating an email to labels, addresses,
references and other objects are in app.mail.relations."""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from app.accounts.models import Organization, User
from app.documents.models import Annotation, Document
from app.inboxes.models import Inbox, Queue
from app.tasks.models import Task

if TYPE_CHECKING:  # relations.py imports this module
    from app.mail.relations import (
        EmailLabel,
        EmailLinkedObject,
        EmailParticipant,
        EmailReference,
        EmailRelatedAnnotation,
        EmailRelatedDocument,
    )


class EmailType(StrEnum):
    INCOMING = "INCOMING"
    OUTGOING = "OUTGOING"


class EmailStatus(StrEnum):
    UNRESOLVED = "UNRESOLVED"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"


class DeliveryStatus(StrEnum):
    QUEUED = "QUEUED"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    # Sent, then a delivery status notification said a recipient's server failed it.
    BOUNCED = "BOUNCED"


class Label(StrEnum):
    REJECTION = "REJECTION"
    AUTOMATIC_REJECTION = "AUTOMATIC_REJECTION"
    AUTOMATIC_STATUS_CHANGED_INFO = "AUTOMATIC_STATUS_CHANGED_INFO"
    REJECTED = "REJECTED"
    FORWARDED = "FORWARDED"
    REPLY = "REPLY"


class ThreadMatchMethod(StrEnum):
    REFERENCES = "REFERENCES"
    IN_REPLY_TO = "IN_REPLY_TO"
    SUBJECT_PARTICIPANTS = "SUBJECT_PARTICIPANTS"
    MANUAL = "MANUAL"
    NEW_THREAD = "NEW_THREAD"


class ParticipantRole(StrEnum):
    FROM = "FROM"
    TO = "TO"
    CC = "CC"
    BCC = "BCC"


class EmailThread(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="email_threads", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="email_threads", on_delete=fields.CASCADE
    )
    root_email: fields.ForeignKeyNullableRelation["Email"] = fields.ForeignKeyField(
        "models.Email", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    subject = fields.CharField(max_length=998, default="")
    # Subject without Re:/Fwd:/list tags, lower-cased: the subject fallback's key.
    normalized_subject = fields.CharField(max_length=998, default="", db_index=True)
    has_replies = fields.BooleanField(default=False)
    has_new_replies = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_email_created_at = fields.DatetimeField()

    organization_id: int
    queue_id: int
    root_email_id: int | None
    # The reverse sides of other models' foreign keys (annotations only: tortoise
    # sets them up from those keys' related_name).
    emails: fields.ReverseRelation["Email"]
    annotations: fields.ReverseRelation[Annotation]

    class Meta:
        table = "email_thread"
        indexes = (
            ("organization_id", "created_at", "id"),
            ("organization_id", "last_email_created_at", "id"),
            ("queue_id", "normalized_subject"),
        )


class Email(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="emails", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="emails", on_delete=fields.CASCADE
    )
    inbox: fields.ForeignKeyNullableRelation[Inbox] = fields.ForeignKeyField(
        "models.Inbox", related_name="emails", null=True, on_delete=fields.SET_NULL
    )
    parent: fields.ForeignKeyNullableRelation["Email"] = fields.ForeignKeyField(
        "models.Email", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    email_thread: fields.ForeignKeyNullableRelation[EmailThread] = (
        fields.ForeignKeyField(
            "models.EmailThread",
            related_name="emails",
            null=True,
            on_delete=fields.SET_NULL,
        )
    )
    creator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="created_emails",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_at = fields.DatetimeField()
    # Copy of the thread's last_email_created_at, so LAST_THREAD_EMAIL order is indexed.
    last_thread_email_created_at = fields.DatetimeField()
    type = fields.CharEnumField(EmailType, max_length=16)
    subject = fields.CharField(max_length=998, default="")
    from_address = fields.CharField(max_length=320, default="")
    from_name = fields.CharField(max_length=200, default="")
    # [{email, name}], as the message or the sender gave them.
    to: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    cc: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    bcc: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    body_text_plain = fields.TextField(default="")
    # The new text of an incoming reply (no quoted history, no signature); null for
    # outgoing mail and mail imported before it was kept.
    body_text_reply = fields.TextField(null=True)
    # Case-folded copy for the `subject` filter: SQLite's LIKE folds ASCII only, so
    # both databases compare folded text instead.
    subject_folded = fields.CharField(max_length=998, default="")
    # The words `search` looks in (app.mail.search.document); full-text indexed by
    # migration 0019 (PostgreSQL: search_vector + GIN; SQLite: email_fts + triggers).
    search_text = fields.TextField(default="")
    body_text_html = fields.TextField(default="")
    body_truncated = fields.BooleanField(default=False)
    metadata: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    filtered_out_document_count = fields.IntField(default=0)
    message_id = fields.CharField(max_length=998, default="")
    in_reply_to: fields.JSONField[list[str]] = fields.JSONField(default=list)
    references: fields.JSONField[list[str]] = fields.JSONField(default=list)
    thread_match_method = fields.CharEnumField(
        ThreadMatchMethod, max_length=32, default=ThreadMatchMethod.NEW_THREAD
    )
    thread_match_email: fields.ForeignKeyNullableRelation["Email"] = (
        fields.ForeignKeyField(
            "models.Email", related_name=False, null=True, on_delete=fields.SET_NULL
        )
    )
    parse_defects: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # One entry per MIME part: {partId, contentType, filename, outcome, blobKey...}.
    parts: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    raw_blob_key = fields.CharField(max_length=200, null=True)
    raw_sha256 = fields.CharField(max_length=64, default="")
    # Message-ID, or "sha256:<raw hash>" without one: unique per inbox (import dedupe).
    dedupe_key = fields.CharField(max_length=998, null=True)
    raw_size = fields.IntField(default=0)
    # The custom headers sendEmail was given (outgoing only).
    headers: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    # The message's Date header in UTC (incoming; null when absent or unreadable), or
    # the Date an outgoing email is sent with (set when it is stored).
    date = fields.DatetimeField(null=True)
    # When Mailroom accepted an incoming email (mutation, SMTP, bulk); null outgoing.
    received_at = fields.DatetimeField(null=True)
    # Every header of the raw message, decoded, in order: [{name, value}], capped
    # (app.mail.headers). Kept in the row so list pages never read blobs. Null until
    # known: mail stored before 0013, outgoing mail not yet composed.
    message_headers: fields.JSONField[list[dict[str, str]] | None] = fields.JSONField(
        null=True
    )
    idempotency_key = fields.CharField(max_length=200, null=True)
    # Triage (Productive).
    status = fields.CharEnumField(
        EmailStatus, max_length=16, default=EmailStatus.UNRESOLVED
    )
    dismissed_at = fields.DatetimeField(null=True)
    dismissed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    unread = fields.BooleanField(default=True)
    external_id = fields.CharField(max_length=200, null=True)
    # Delivery of outgoing mail (Scaleway).
    # CharEnumField's hints leave out null=True (it returns Field[the enum]), but this
    # column holds NULL for every incoming email.
    delivery_status: fields.Field[DeliveryStatus | None] = fields.CharEnumField(  # type: ignore[assignment]
        DeliveryStatus, max_length=16, null=True
    )
    send_at = fields.DatetimeField(null=True)
    send_before = fields.DatetimeField(null=True)
    try_count = fields.IntField(default=0)
    last_tries: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    # Recipients the receiving server refused: [{email, code, message}].
    refused_recipients: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(
        default=list
    )
    # The last delivery status notification that failed it (BOUNCED):
    # {status, diagnostic, recipient, at}; null otherwise.
    bounce: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    sent_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)

    organization_id: int
    queue_id: int
    inbox_id: int | None
    parent_id: int | None
    email_thread_id: int | None
    creator_id: int | None
    thread_match_email_id: int | None
    dismissed_by_id: int | None
    # Reverse sides, as on EmailThread.
    children: fields.ReverseRelation["Email"]
    label_rows: fields.ReverseRelation["EmailLabel"]
    participants: fields.ReverseRelation["EmailParticipant"]
    reference_rows: fields.ReverseRelation["EmailReference"]
    linked_object_rows: fields.ReverseRelation["EmailLinkedObject"]
    related_annotation_rows: fields.ReverseRelation["EmailRelatedAnnotation"]
    related_document_rows: fields.ReverseRelation["EmailRelatedDocument"]
    documents: fields.ReverseRelation[Document]
    annotations: fields.ReverseRelation[Annotation]
    tasks: fields.ReverseRelation[Task]

    class Meta:
        table = "email"
        unique_together = (("inbox_id", "dedupe_key"),)
        indexes = (
            ("organization_id", "created_at", "id"),
            ("organization_id", "subject", "id"),
            ("organization_id", "last_thread_email_created_at", "id"),
            ("email_thread_id", "created_at", "id"),
            ("queue_id", "message_id"),
            ("organization_id", "from_address"),
            ("organization_id", "status"),
            ("organization_id", "delivery_status"),
            # The DATE ordering and dateAfter/dateBefore; the other filters 0013 added.
            ("organization_id", "date", "id"),
            ("organization_id", "message_id"),
            ("organization_id", "external_id"),
            # statistics(filter): its grouped count reads only this index.
            ("organization_id", "type", "delivery_status", "status"),
            ("creator_id", "created_at", "id"),
        )
