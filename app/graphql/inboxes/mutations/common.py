"""What creating and updating share: the result unions and an inbox's settings."""

from typing import Annotated, Any

import strawberry

from app.graphql.common import InputError
from app.graphql.inboxes.types import Inbox, Queue

QueueResult = Annotated[Queue | InputError, strawberry.union("QueueResult")]
InboxResult = Annotated[Inbox | InputError, strawberry.union("InboxResult")]


@strawberry.input
class InboxSettingsInput:
    name: str | None = None
    accepted_mime_types: list[str] | None = None
    min_image_bytes: int | None = None
    reject_without_documents: bool | None = None
    allowed_sender_patterns: list[str] | None = None

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "accepted_mime_types": self.accepted_mime_types,
            "min_image_bytes": self.min_image_bytes,
            "reject_without_documents": self.reject_without_documents,
            "allowed_sender_patterns": self.allowed_sender_patterns,
        }
