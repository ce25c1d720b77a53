"""What became of each MIME part of an incoming message (stored in Email.parts)."""

from enum import StrEnum


class PartOutcome(StrEnum):
    BODY = "BODY"
    DOCUMENT = "DOCUMENT"
    FILTERED_INLINE = "FILTERED_INLINE"
    FILTERED_SMALL_IMAGE = "FILTERED_SMALL_IMAGE"
    FILTERED_TYPE = "FILTERED_TYPE"
    NESTED_MESSAGE = "NESTED_MESSAGE"
