"""What became of each MIME part of an incoming message (stored in Email.parts)."""

from enum import StrEnum


class PartOutcome(StrEnum):
    BODY = "BODY"
    DOCUMENT = "DOCUMENT"
    FILTERED_INLINE = "FILTERED_INLINE"
    FILTERED_SMALL_IMAGE = "FILTERED_SMALL_IMAGE"
    FILTERED_TYPE = "FILTERED_TYPE"
    NESTED_MESSAGE = "NESTED_MESSAGE"
    # A machine-readable report (delivery status, feedback, read receipt, the
    # headers of a returned message): recorded here, never a document.
    REPORT = "REPORT"
    # Nothing to decode: recorded, so that no document is ever zero bytes.
    EMPTY = "EMPTY"


# RFC 3464, 6533, 5965, 8098, 6522: the parts of multipart/report that are reports.
REPORT_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "text/rfc822-headers",
        "message/global-headers",
    }
)
