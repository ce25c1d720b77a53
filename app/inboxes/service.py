"""Queue and inbox administration."""

import re
from typing import Any

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.validation import no_line_breaks, normalize_address
from app.inboxes.models import Inbox, Queue

_MIME_PATTERN = re.compile(
    r"^[a-z0-9][a-z0-9!#$&^_.+-]*/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$"
)


def _name(value: str, *, field: str = "name") -> str:
    """An inbox's name is the display name its mail is sent from: one line."""
    name = no_line_breaks(value, field=field).strip()
    if not name or len(name) > 200:
        raise InvalidInput("Name must be 1 to 200 characters.", field=field)
    return name


async def get_queue(
    *, organization_id: int, queue_id: int, field: str = "queue"
) -> Queue:
    queue = await Queue.get_or_none(id=queue_id, organization_id=organization_id)
    if queue is None:
        raise NotFound("No such queue.", field=field)
    return queue


async def create_queue(*, organization_id: int, name: str) -> Queue:
    return await Queue.create(organization_id=organization_id, name=_name(name))


async def update_queue(
    *, organization_id: int, queue_id: int, name: str | None
) -> Queue:
    queue = await get_queue(
        organization_id=organization_id, queue_id=queue_id, field="id"
    )
    if name is not None:
        queue.name = _name(name)
        await queue.save()
    return queue


def _inbox_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the settings given (None = unchanged) and return those to store."""
    out: dict[str, Any] = {}
    if (types := values.get("accepted_mime_types")) is not None:
        cleaned = [t.strip().lower() for t in types]
        bad = [t for t in cleaned if not _MIME_PATTERN.match(t)]
        if bad:
            raise InvalidInput(
                f"Not a MIME type: {bad[0]!r}.", field="acceptedMimeTypes"
            )
        out["accepted_mime_types"] = list(dict.fromkeys(cleaned))
    if (size := values.get("min_image_bytes")) is not None:
        if size < 0:
            raise InvalidInput("minImageBytes must be >= 0.", field="minImageBytes")
        out["min_image_bytes"] = size
    if (patterns := values.get("allowed_sender_patterns")) is not None:
        cleaned = [p.strip().lower() for p in patterns]
        if any(not p or len(p) > 320 for p in cleaned):
            raise InvalidInput(
                "Sender patterns must be 1 to 320 characters.",
                field="allowedSenderPatterns",
            )
        out["allowed_sender_patterns"] = cleaned
    if (reject := values.get("reject_without_documents")) is not None:
        out["reject_without_documents"] = reject
    if (name := values.get("name")) is not None:
        out["name"] = _name(name)
    return out


async def create_inbox(
    *, organization_id: int, queue_id: int, email: str, **settings: Any
) -> Inbox:
    queue = await get_queue(organization_id=organization_id, queue_id=queue_id)
    address = normalize_address(email, field="email")
    values = _inbox_settings(settings)
    if await Inbox.filter(email=address).exists():
        raise Conflict(f"The address {address} is taken.", field="email")
    return await Inbox.create(
        organization_id=organization_id, queue=queue, email=address, **values
    )


async def update_inbox(
    *, organization_id: int, inbox_id: int, queue_id: int | None = None, **settings: Any
) -> Inbox:
    inbox = await Inbox.get_or_none(id=inbox_id, organization_id=organization_id)
    if inbox is None:
        raise NotFound("No such inbox.", field="id")
    values = _inbox_settings(settings)
    if queue_id is not None:
        values["queue_id"] = (
            await get_queue(organization_id=organization_id, queue_id=queue_id)
        ).id
    if values:
        inbox.update_from_dict(values)
        await inbox.save()
    return inbox


async def inbox_for_recipient(recipient: str) -> Inbox | None:
    return await Inbox.get_or_none(email=recipient.strip().lower())
