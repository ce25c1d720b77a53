"""A real `mailroom worker` process on the test's database and Redis: SIGTERM during
a slow job lets it finish within WORKER_GRACE_SECONDS or hands its task back, and
the worker exits 0; SIGKILL leaves no parse child behind."""

import asyncio
import base64
import signal
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import psutil
import pytest

from app.mail.models import DeliveryStatus, Email
from app.tasks.models import Task, TaskStatus
from tests.conftest import SmtpSink
from tests.factories import make_inbox, make_queue
from tests.fixtures.processes import eventually
from tests.helpers import gid_of
from tests.outbox.sending import queue_with_inbox, sent_task, to

T = TypeVar("T")


class SlowSink(SmtpSink):
    """An SMTP server that takes `delay` seconds to answer DATA."""

    def __init__(self) -> None:
        super().__init__()
        self.delay = 0.0
        self.data_started = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
async def slow_sink(settings: Any) -> AsyncIterator[SlowSink]:
    from aiosmtpd.smtp import SMTP

    sink = SlowSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    settings(mail_url=f"smtp://127.0.0.1:{port}?starttls=off")
    yield sink
    server.close()


class SilentServer:
    """A server that accepts connections and never greets: a delivery to it waits
    (up to SMTP_TIMEOUT_SECONDS) for the banner."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: Any) -> None:
        self.connected.set()
        await reader.read()
        writer.close()


@pytest.fixture
async def silent_smtp(settings: Any) -> AsyncIterator[SilentServer]:
    silent = SilentServer()
    server = await asyncio.start_server(silent.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings(mail_url=f"smtp://127.0.0.1:{port}?starttls=off")
    yield silent
    server.close()


async def _exit_code(process: Process, within: float) -> int:
    return await asyncio.wait_for(process.wait(), within)


async def _stop(worker: Process) -> tuple[int, float]:
    """SIGTERM the worker: its exit code, and how many seconds it took to exit."""
    stopped = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    code = await _exit_code(worker, 15)
    return code, time.monotonic() - stopped


async def _send(admin) -> Task:
    queue = await queue_with_inbox(admin.organization_id)
    await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), templateValues={}
    )
    return await Task.get()


async def test_sigterm_lets_a_running_job_finish_within_the_grace_period(
    admin, slow_sink, start_worker
):
    # given a worker delivering an email to a server that takes 1.5 s to answer
    slow_sink.delay = 1.5
    worker = await start_worker(worker_grace_seconds="10")
    task = await _send(admin)
    await asyncio.wait_for(slow_sink.data_started.wait(), 20)
    # when the worker is told to stop
    code, took = await _stop(worker)
    # then it finished the delivery first, and exited 0 well within the grace
    assert code == 0 and took < 8, (code, took)
    assert (await Task.get(id=task.id)).status is TaskStatus.SUCCEEDED
    assert len(slow_sink.received) == 1


async def test_sigterm_hands_back_a_job_still_running_after_the_grace_period(
    admin, silent_smtp, start_worker
):
    # given a worker delivering to a server that does not answer
    worker = await start_worker(worker_grace_seconds="1")
    task = await _send(admin)
    await asyncio.wait_for(silent_smtp.connected.wait(), 20)
    # when the worker is told to stop
    code, took = await _stop(worker)
    # then after its 1 s grace it cancelled the job, handed the task back, exited 0
    assert code == 0 and 1 <= took < 6, (code, took)
    row = await Task.get(id=task.id)
    assert (row.status, row.lease_until) == (TaskStatus.QUEUED, None)


async def test_sigterm_mid_data_drops_the_session_and_the_send_is_uncertain(
    admin, slow_sink, start_worker
):
    # given a worker whose delivery is in DATA with a server that answers in 30 s
    slow_sink.delay = 30
    worker = await start_worker(worker_grace_seconds="1")
    task = await _send(admin)
    await asyncio.wait_for(slow_sink.data_started.wait(), 20)
    # when the worker is told to stop
    code, took = await _stop(worker)
    # then it did not wait for the server (nor for QUIT) past its grace period
    assert code == 0 and 1 <= took < 6, (code, took)
    row = await Task.get(id=task.id)
    assert (row.status, row.lease_until) == (TaskStatus.QUEUED, None)
    # and the email may have arrived, so it is not sent blindly again
    email = await Email.get(id=row.email_id)
    assert email.delivery_status is DeliveryStatus.SENDING


RAW = (
    b"From: a@supplier.test\r\nTo: in@acme.test\r\nSubject: Parsed\r\n"
    b"Message-ID: <parsed@supplier.test>\r\n\r\nbody\r\n"
)


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_a_killed_worker_leaves_no_parse_child_behind(admin, start_worker):
    # given a worker that imported a message (so its parse child runs)
    await make_inbox(
        admin.organization_id,
        "in@acme.test",
        queue=await make_queue(admin.organization_id, "Q"),
    )
    worker = await start_worker()
    await admin.data(
        "mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,"
        ' recipient: "in@acme.test"}) { ... on Task { id } } }',
        {"raw": base64.b64encode(RAW).decode()},
    )

    async def imported() -> bool:
        return (await Task.get()).status is TaskStatus.SUCCEEDED

    await eventually(imported, within=20, what="import")
    children = psutil.Process(worker.pid).children(recursive=True)
    assert any("spawn_main" in " ".join(c.cmdline()) for c in children), children
    # when the worker is killed outright
    worker.kill()
    assert await _exit_code(worker, 10) == -signal.SIGKILL

    # then its children (the parse child, multiprocessing's resource tracker) end
    async def all_gone() -> bool:
        return all(_gone(child) for child in children)

    await eventually(all_gone, within=5, what="exit of the parse children")
