"""Accepting an import: validate, store the raw bytes, create the Task, enqueue.

Used by the importEmail mutation, the SMTP server and the bulk import command, so
each path validates and deduplicates the same way. Nothing here parses the message:
that is the job's work, so accepting takes milliseconds whatever the size.
"""

from collections.abc import AsyncIterator
from typing import Any

from arq.connections import ArqRedis

from app.core.blobs import blob_store
from app.core.errors import ErrorCode, InvalidInput, NotFound
from app.core.limits import limits
from app.core.spools import Spool
from app.core.validation import check_metadata
from app.inboxes.models import Inbox
from app.inboxes.service import inbox_for_recipient
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit

VALUES_PREFIX = "emails_import:"


def check_size(size: int, *, whole: bool = True) -> None:
    """`whole`: size is the message's; else only what was read of it so far."""
    limit = limits().max_message_bytes
    if size > limit:
        raise InvalidInput(
            f"The message is {size} bytes; the limit is {limit}."
            if whole
            else f"The message is larger than the limit of {limit} bytes.",
            field="rawMessage",
            code=ErrorCode.PAYLOAD_TOO_LARGE,
        )


def check_not_empty(raw: bytes) -> None:
    """Nothing to parse is the caller's mistake, not a task that fails later."""
    if not raw.strip():
        raise _empty()


def _empty() -> InvalidInput:
    return InvalidInput(
        "The message is empty (no bytes, or only whitespace).", field="rawMessage"
    )


async def _not_empty(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks, and check_not_empty's refusal after the last if all were blank
    (raised inside the store's write, so nothing is stored)."""
    blank = True
    async for chunk in chunks:
        blank = blank and not chunk.strip()
        yield chunk
    if blank:
        raise _empty()


def check_values(values: Any) -> dict[str, Any]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidInput("values must be a JSON object.", field="values")
    bad = [k for k in values if not k.startswith(VALUES_PREFIX) or k == VALUES_PREFIX]
    if bad:
        raise InvalidInput(
            f"values keys must start with {VALUES_PREFIX!r}: {bad[0]!r}.",
            field="values",
        )
    return values


async def find_inbox(organization_id: int | None, recipient: str) -> Inbox:
    """The inbox for an address; of this organization when one is given."""
    inbox = await inbox_for_recipient(recipient)
    if inbox is None or (
        organization_id is not None and inbox.organization_id != organization_id
    ):
        raise NotFound(f"No inbox receives mail for {recipient!r}.", field="recipient")
    return inbox


async def request_import(
    redis: ArqRedis,
    *,
    raw: bytes | AsyncIterator[bytes] | Spool,
    recipient: str,
    organization_id: int | None,
    creator_id: int | None,
    metadata: Any = None,
    values: Any = None,
    idempotency_key: str | None = None,
    source: str,
) -> Task:
    """`raw` in memory (SMTP, the CLI), as chunks, their size checked as they
    come, or a spooled upload, its size known (importEmail): those are stored
    only once the request is otherwise valid, so a refused one leaves no blob."""
    if isinstance(raw, bytes):
        check_size(len(raw))
        check_not_empty(raw)
    metadata = check_metadata(metadata if metadata is not None else {})
    values = check_values(values)
    inbox = await find_inbox(organization_id, recipient)
    return await submit(
        redis,
        kind=TaskKind.IMPORT_EMAIL,
        organization_id=inbox.organization_id,
        creator_id=creator_id,
        idempotency_key=idempotency_key,
        payload={
            "inbox_id": inbox.id,
            "raw_blob_key": await _store(raw),
            "metadata": metadata,
            "values": values,
            "source": source,
        },
    )


async def _store(raw: bytes | AsyncIterator[bytes] | Spool) -> str:
    if isinstance(raw, bytes):
        return await blob_store().put(raw)
    if isinstance(raw, Spool):
        if raw.blank:
            raise _empty()
        return await blob_store().put_spool(raw)
    return await blob_store().put_chunks(_not_empty(raw))
