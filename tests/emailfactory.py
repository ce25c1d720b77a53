"""Emails for tests, created through the mail service (`record_email`), with explicit
creation times so every ordering is deterministic, and global ids computed the way a
client would see them."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app.inboxes.models import Queue
from app.mail.models import Email, EmailThread, EmailType, Label, ThreadMatchMethod
from app.mail.service import NewEmail, record_email

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A fixed instant, `minutes` after T0 (negative: before)."""
    return T0 + timedelta(minutes=minutes)


def gid(type_name: str, pk: object) -> str:
    """The Relay global id of a row: base64 of "TypeName:pk"."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def email_gid(email: Email) -> str:
    return gid("Email", email.id)


async def make_queue(organization_id: int, name: str = "Main") -> Queue:
    return await Queue.create(organization_id=organization_id, name=name)


async def make_email(
    organization_id: int,
    queue_id: int,
    *,
    created_at: datetime,
    subject: str = "",
    thread: EmailThread | None = None,
    type: EmailType = EmailType.INCOMING,
    from_address: str = "",
    from_name: str = "",
    to: list[str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    labels: list[Label] | None = None,
    **extra: Any,
) -> Email:
    """One email through the service, in `thread` (else a new one); `extra` sets
    other Email columns (status, unread, inbox_id, creator_id, body_text_plain...)."""

    def addresses(items: list[str] | None) -> list[dict[str, str]]:
        return [{"email": a, "name": ""} for a in items or []]

    async with in_transaction():
        return await record_email(
            NewEmail(
                organization_id=organization_id,
                queue_id=queue_id,
                type=type,
                subject=subject,
                from_address=from_address,
                from_name=from_name,
                to=addresses(to),
                cc=addresses(cc),
                bcc=addresses(bcc),
                labels=labels or [],
                extra=extra,
                created_at=created_at,
            ),
            thread=thread,
            match_method=ThreadMatchMethod.MANUAL,  # ignored for a new thread
        )


async def thread_of(email: Email) -> EmailThread:
    return await EmailThread.get(id=email.email_thread_id)
