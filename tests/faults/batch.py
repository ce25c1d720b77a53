"""A batch of work for the worker fault tests, and what they check after it: every
task terminal, one email per distinct message, no orphan blob, no orphan process."""

import asyncio
import os
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psutil

from app.documents.models import Document
from app.intake.service import request_import
from app.mail.models import Email
from app.tasks.models import FINISHED, Task, TaskStatus
from tests.factories import make_inbox, make_queue

INBOX = "in@acme.test"


def message(n: int) -> bytes:
    """Distinct message `n`, with a small PDF attachment (a Document and a blob)."""
    mail = EmailMessage()
    mail["From"] = f"supplier{n % 7}@supplier.test"
    mail["To"] = INBOX
    mail["Subject"] = f"Invoice {n}"
    mail["Message-ID"] = f"<fault-{n}@supplier.test>"
    mail.set_content(f"Invoice {n} attached.\n")
    mail.add_attachment(
        b"%PDF-1.4\n" + f"invoice {n}\n".encode() * 20,
        maintype="application",
        subtype="pdf",
        filename=f"invoice-{n}.pdf",
    )
    return bytes(mail)


async def inbox_for(organization_id: int) -> None:
    queue = await make_queue(organization_id, "Faults")
    await make_inbox(organization_id, INBOX, queue=queue)


async def submit_imports(
    redis: Any, organization_id: int, numbers: list[int]
) -> list[Task]:
    """One import per number (a repeated number is a duplicate message)."""
    return [
        await request_import(
            redis,
            raw=message(n),
            recipient=INBOX,
            organization_id=organization_id,
            creator_id=None,
            source="fault test",
        )
        for n in numbers
    ]


async def statuses(organization_id: int) -> Counter[str]:
    rows = await Task.filter(organization_id=organization_id).values_list(
        "status", flat=True
    )
    return Counter(str(status) for status in rows)


async def succeeded(organization_id: int) -> int:
    return await Task.filter(
        organization_id=organization_id, status=TaskStatus.SUCCEEDED
    ).count()


async def all_terminal(organization_id: int, *, within: float) -> float:
    """Seconds until every task of the organization is terminal (fails after
    `within`, naming what is left)."""
    started = time.monotonic()
    while True:
        left = await Task.filter(organization_id=organization_id).exclude(
            status__in=list(FINISHED)
        )
        if not left:
            return time.monotonic() - started
        elapsed = time.monotonic() - started
        assert elapsed < within, (
            f"{len(left)} tasks not terminal after {within} s: "
            f"{Counter(str(t.status) for t in left)}"
        )
        await asyncio.sleep(0.2)


async def emails_per_message(organization_id: int) -> Counter[str]:
    ids = await Email.filter(organization_id=organization_id).values_list(
        "message_id", flat=True
    )
    return Counter(str(i) for i in ids)


async def orphan_blobs(blob_dir: Path) -> list[str]:
    """Blob files no email, document or task refers to."""
    stored = await asyncio.to_thread(
        lambda: {p.name for p in blob_dir.rglob("*") if p.is_file()}
    )
    referred = set(
        await Email.exclude(raw_blob_key=None).values_list("raw_blob_key", flat=True)
    )
    referred |= set(await Document.all().values_list("blob_key", flat=True))
    for payload in await Task.all().values_list("payload", flat=True):
        referred.add(payload.get("raw_blob_key"))  # type: ignore[union-attr]
    return sorted(name for name in stored if name not in referred)


def processes_in_sessions(sessions: set[int]) -> list[str]:
    """Live processes (not zombies) of these sessions: a killed worker's session
    must be empty, its parse child gone with it."""
    left = []
    for process in psutil.process_iter(["pid", "name", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if os.getsid(process.pid) in sessions:
                left.append(f"{process.pid} {process.info['name']}")
        except (ProcessLookupError, psutil.Error):
            continue
    return left


async def failures(organization_id: int) -> Counter[str]:
    """Why tasks failed: code and message, counted (for assertion messages)."""
    rows = await Task.filter(
        organization_id=organization_id, status=TaskStatus.FAILED
    ).values_list("error_code", "error_message")
    return Counter(f"{code}: {message}" for code, message in rows)
