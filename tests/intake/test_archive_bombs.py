"""A ZIP bomb among the attachments: sniffing only peeks at an archive's entries,
in the parse child, so no process balloons and the import ends with a code."""

import io
import threading
import tracemalloc
import zipfile

import psutil
import pytest

from app.documents.sniffing import sniff_mime_type
from tests import mailcorpus as mc
from tests.intake.importing import (
    assert_worker_alive,
    intake_inbox,
    queued_task,
    task_of,
)

ENTRY_BYTES = 1024**3  # what the archive's `mimetype` entry inflates to
MAX_GROWTH_BYTES = 150 * 1024**2


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 1 MB: deflate packs a GiB of zeros a thousand to one (3-4 s to build)."""
    buffer = io.BytesIO()
    chunk = bytes(1024**2)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("mimetype", "w", force_zip64=True) as entry:
            for _ in range(ENTRY_BYTES // len(chunk)):
                entry.write(chunk)
        zf.writestr("[Content_Types].xml", b"<Types/>")
    return buffer.getvalue()


class RssWatch:
    """The largest RSS growth of some processes while the block runs, sampled
    every few milliseconds from a thread (the event loop keeps running)."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes
        self.base = {p.pid: p.memory_info().rss for p in processes}
        self.peak = dict(self.base)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.003):
            for process in self.processes:
                try:
                    rss = process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.peak[process.pid] = max(self.peak[process.pid], rss)

    def __enter__(self) -> "RssWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def growth(self) -> dict[int, int]:
        return {pid: self.peak[pid] - self.base[pid] for pid in self.base}


def test_sniffing_reads_only_a_few_kilobytes_of_an_entry(bomb):
    # given an archive whose `mimetype` entry inflates to 1 GiB
    assert len(bomb) < 2 * 1024**2
    # when its type is sniffed
    tracemalloc.start()
    try:
        mime = sniff_mime_type(bomb, declared="application/pdf", filename="a.odt")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then it is a plain ZIP (the entry is no OpenDocument type), found with next
    # to no memory
    assert mime == "application/zip"
    assert peak < 2 * 1024**2, peak


async def test_a_zip_bomb_imports_without_ballooning_the_worker_or_the_parser(
    admin, run_jobs, bomb
):
    # given an inbox, and a worker whose parse child is running
    await intake_inbox(admin.organization_id)
    await assert_worker_alive(admin, run_jobs, "before the bomb")
    worker = psutil.Process()
    watched = [worker, *worker.children(recursive=True)]  # the parse child, Redis
    # when a message attaching the bomb is imported
    raw = mc.simple(
        message_id="<bomb@vendor.test>",
        subject="bomb",
        attachments=[("report.odt", bomb)],
    )
    task_id = await queued_task(admin, raw)
    with RssWatch(watched) as watch:
        await run_jobs()
    # then no process grew by 150 MB
    growth = watch.growth()
    assert max(growth.values()) < MAX_GROWTH_BYTES, growth
    # and the import ended with a code: imported, its type sniffed, or failed clearly
    task = await task_of(admin, task_id)
    if task["status"] == "FAILED":
        assert task["error"]["code"] not in (None, "INTERNAL_ERROR"), task["error"]
    else:
        assert task["status"] == "SUCCEEDED", task
        [document] = task["email"]["documents"]
        assert document["mimeType"] == "application/zip"
        assert document["size"] == len(bomb)
    # and the worker and its parse child still import a normal message
    await assert_worker_alive(admin, run_jobs, "after the bomb")
