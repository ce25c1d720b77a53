"""Limits: what the API enforces for the caller's organization."""

import strawberry

from app.accounts.models import Organization
from app.core.limits import limits
from app.outbox.allowance import send_limit_left


@strawberry.type
class Limits:
    max_message_bytes: int
    max_recipients: int
    metadata_max_keys: int
    body_max_bytes: int
    default_page_size: int
    max_page_size: int
    send_limit: int | None = strawberry.field(description="null = unlimited.")
    send_limit_left: int | None = strawberry.field(description="null = unlimited.")


async def load_limits(org: Organization) -> Limits:
    now = limits()
    return Limits(
        max_message_bytes=now.max_message_bytes,
        max_recipients=now.max_recipients,
        metadata_max_keys=now.metadata_max_keys,
        body_max_bytes=now.body_max_bytes,
        default_page_size=now.default_page_size,
        max_page_size=now.max_page_size,
        send_limit=org.send_limit,
        send_limit_left=await send_limit_left(org),
    )
