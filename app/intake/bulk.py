"""`mailroom import FILES… --recipient ADDR`: bulk import of .eml and mbox files.

Each message goes through the same request and job as importEmail; the command runs
the jobs itself (a worker may take some first: then it waits for them), so it can
end with a true summary.
"""

import asyncio
import mailbox
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from arq.connections import ArqRedis
from rich.progress import Progress

from app.core.errors import InvalidInput
from app.core.planner import analyze
from app.intake.jobs import import_email_job
from app.intake.service import find_inbox, request_import
from app.tasks.models import FINISHED, Task, TaskKind, TaskStatus


def iter_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) of each message: an mbox yields many, anything else one."""
    with path.open("rb") as f:
        is_mbox = f.read(5) == b"From "
    if not is_mbox:
        yield str(path), path.read_bytes()
        return
    box = mailbox.mbox(path, create=False)
    try:
        for i, key in enumerate(box.iterkeys(), 1):
            yield f"{path}#{i}", box.get_bytes(key)
    finally:
        box.close()


def read_files(files: list[Path]) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """Every message of the files, and the files that could not be read (why)."""
    messages: list[tuple[str, bytes]] = []
    unreadable: dict[str, str] = {}
    for path in files:
        try:
            messages += list(iter_messages(path))
        except (OSError, mailbox.Error) as exc:
            unreadable[str(path)] = getattr(exc, "strerror", None) or str(exc)
    return messages, unreadable


async def bulk_import(
    redis: ArqRedis, files: list[Path], recipient: str
) -> Counter[str]:
    """Import every message; the summary counts them by task status (FAILED for a
    file that cannot be read), REFUSED (the mutation's checks) and DUPLICATE (the
    message was imported before: its task succeeded with the existing email).
    Then the planner's statistics are refreshed (app.core.planner)."""
    await find_inbox(None, recipient)  # fail before reading anything
    summary: Counter[str] = Counter()
    messages, unreadable = read_files(files)
    with Progress() as progress:
        for label, reason in unreadable.items():
            progress.console.print(f"[red]failed[/red] {label}: {reason}")
            summary["FAILED"] += 1
        bar = progress.add_task("importing", total=len(messages))
        for label, raw in messages:
            summary[await _import_one(redis, raw, recipient, label, progress)] += 1
            progress.advance(bar)
    if summary["SUCCEEDED"]:
        await analyze()  # what was imported is what the next searches look in
    return summary


async def _import_one(
    redis: ArqRedis, raw: bytes, recipient: str, label: str, progress: Progress
) -> str:
    try:
        task = await request_import(
            redis,
            raw=raw,
            recipient=recipient,
            organization_id=None,
            creator_id=None,
            source="cli",
        )
    except InvalidInput as exc:
        progress.console.print(f"[red]refused[/red] {label}: {exc.message}")
        return "REFUSED"
    await import_email_job({"redis": redis}, str(task.id))
    while (task := await Task.get(id=task.id)).status not in FINISHED:  # noqa: ASYNC110
        await asyncio.sleep(0.2)  # a worker claimed it first: poll its row
    if task.error_message:
        progress.console.print(f"[red]failed[/red] {label}: {task.error_message}")
    if task.status is TaskStatus.SUCCEEDED and await _imported_before(task):
        return "DUPLICATE"
    return task.status.value


async def _imported_before(task: Task) -> bool:
    """Whether an earlier import already gave this task's email."""
    return await Task.filter(
        email_id=task.email_id,
        kind=TaskKind.IMPORT_EMAIL,
        status=TaskStatus.SUCCEEDED,
        created_at__lt=task.created_at,
    ).exists()
