"""Orderings of email lists: the sort columns behind each public order field."""

from datetime import datetime
from enum import StrEnum

from app.graphql.pagination import SortKey


class EmailOrderField(StrEnum):
    CREATED_AT = "CREATED_AT"
    SUBJECT = "SUBJECT"
    LAST_THREAD_EMAIL = "LAST_THREAD_EMAIL"


EMAIL_ORDERINGS: dict[EmailOrderField, list[SortKey]] = {
    EmailOrderField.CREATED_AT: [SortKey("created_at", datetime)],
    EmailOrderField.SUBJECT: [SortKey("subject", str)],
    EmailOrderField.LAST_THREAD_EMAIL: [
        SortKey("last_thread_email_created_at", datetime)
    ],
}
