"""Emails, their threads, labels, participants and relations."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


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
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="email_threads", on_delete=fields.CASCADE
    )
    queue = fields.ForeignKeyField(
        "models.Queue", related_name="email_threads", on_delete=fields.CASCADE
    )
    root_email = fields.ForeignKeyField(
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

    class Meta:
        table = "email_thread"
        indexes = (
            ("organization_id", "created_at", "id"),
            ("organization_id", "last_email_created_at", "id"),
            ("queue_id", "normalized_subject"),
        )


class Email(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="emails", on_delete=fields.CASCADE
    )
    queue = fields.ForeignKeyField(
        "models.Queue", related_name="emails", on_delete=fields.CASCADE
    )
    inbox = fields.ForeignKeyField(
        "models.Inbox", related_name="emails", null=True, on_delete=fields.SET_NULL
    )
    parent = fields.ForeignKeyField(
        "models.Email", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    email_thread = fields.ForeignKeyField(
        "models.EmailThread",
        related_name="emails",
        null=True,
        on_delete=fields.SET_NULL,
    )
    creator = fields.ForeignKeyField(
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
    to = fields.JSONField(default=list)
    cc = fields.JSONField(default=list)
    bcc = fields.JSONField(default=list)
    body_text_plain = fields.TextField(default="")
    # Case-folded copies for `subject` and `search` filters: SQLite's LIKE folds ASCII
    # only, so both databases compare folded text instead.
    subject_folded = fields.CharField(max_length=998, default="")
    search_text = fields.TextField(default="")
    body_text_html = fields.TextField(default="")
    body_truncated = fields.BooleanField(default=False)
    metadata = fields.JSONField(default=dict)
    filtered_out_document_count = fields.IntField(default=0)
    message_id = fields.CharField(max_length=998, default="")
    in_reply_to = fields.JSONField(default=list)
    references = fields.JSONField(default=list)
    thread_match_method = fields.CharEnumField(
        ThreadMatchMethod, max_length=32, default=ThreadMatchMethod.NEW_THREAD
    )
    thread_match_email = fields.ForeignKeyField(
        "models.Email", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    parse_defects = fields.JSONField(default=list)
    parts = fields.JSONField(default=list)
    raw_blob_key = fields.CharField(max_length=200, null=True)
    raw_sha256 = fields.CharField(max_length=64, default="")
    # Message-ID, or "sha256:<raw hash>" without one: unique per inbox (import dedupe).
    dedupe_key = fields.CharField(max_length=998, null=True)
    raw_size = fields.IntField(default=0)
    headers = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=200, null=True)
    # Triage (Productive).
    status = fields.CharEnumField(
        EmailStatus, max_length=16, default=EmailStatus.UNRESOLVED
    )
    dismissed_at = fields.DatetimeField(null=True)
    dismissed_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    unread = fields.BooleanField(default=True)
    external_id = fields.CharField(max_length=200, null=True)
    # Delivery of outgoing mail (Scaleway).
    delivery_status = fields.CharEnumField(DeliveryStatus, max_length=16, null=True)
    send_at = fields.DatetimeField(null=True)
    send_before = fields.DatetimeField(null=True)
    try_count = fields.IntField(default=0)
    last_tries = fields.JSONField(default=list)
    # Recipients the receiving server refused: [{email, code, message}].
    refused_recipients = fields.JSONField(default=list)
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
        )


class EmailLabel(Model):
    """One label of one email: a row per label keeps "labels (any of)" indexable."""

    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField(
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
    email = fields.ForeignKeyField(
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
    email = fields.ForeignKeyField(
        "models.Email", related_name="reference_rows", on_delete=fields.CASCADE
    )
    queue = fields.ForeignKeyField(
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
    email = fields.ForeignKeyField(
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


class EmailRelatedAnnotation(Model):
    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField(
        "models.Email", related_name="related_annotation_rows", on_delete=fields.CASCADE
    )
    annotation = fields.ForeignKeyField(
        "models.Annotation", related_name="related_email_rows", on_delete=fields.CASCADE
    )

    email_id: int
    annotation_id: int

    class Meta:
        table = "email_related_annotation"
        unique_together = (("email_id", "annotation_id"),)
        indexes = (("annotation_id",),)


class EmailRelatedDocument(Model):
    id = fields.IntField(primary_key=True)
    email = fields.ForeignKeyField(
        "models.Email", related_name="related_document_rows", on_delete=fields.CASCADE
    )
    document = fields.ForeignKeyField(
        "models.Document", related_name="related_email_rows", on_delete=fields.CASCADE
    )

    email_id: int
    document_id: int

    class Meta:
        table = "email_related_document"
        unique_together = (("email_id", "document_id"),)
