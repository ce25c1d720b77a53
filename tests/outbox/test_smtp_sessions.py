"""A worker keeps its SMTP sessions for the next sends (app/outbox/smtp_pool): one
session for sends one after another, a kept session gone stale replaced without
counting a try, a loss once DATA began still DELIVERY_UNCERTAIN, and QUIT at
shutdown. A real worker (its own startup and shutdown) against the aiosmtpd sink."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from app.tasks.models import Task, TaskStatus
from app.worker import build_worker, shutdown
from tests.fixtures.processes import eventually
from tests.helpers import gid_of, pk_of
from tests.outbox.sending import queue_with_inbox, sent_task, task_of, to

Send = Callable[[str], Awaitable[dict[str, Any]]]
Start = Callable[[], Awaitable[Any]]


@pytest.fixture
async def start(database: str, redis: Any) -> AsyncIterator[Start]:
    """`await start()`: a running worker with its real startup (after the test's
    settings); stopped like a SIGTERM does (`stop`) unless the test did."""
    started: list[Any] = []

    async def start() -> Any:
        worker = build_worker(
            redis_pool=redis, poll_delay=0.01, handle_signals=False, cron_jobs=[]
        )
        worker.main_task = asyncio.create_task(worker.main())
        started.append(worker)
        return worker

    yield start
    for worker in started:
        await stop(worker)


async def stop(worker: Any) -> None:
    """No new jobs, the running ones finish, then the worker's shutdown hook (not
    arq's close(): it would close the fixture's Redis pool)."""
    if worker.main_task.done():
        return
    worker.main_task.cancel()
    await asyncio.gather(worker.main_task, return_exceptions=True)
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    await shutdown(worker.ctx)


@pytest.fixture
async def send_and_wait(admin: Any) -> Send:
    """sendEmail to one address; the task once it finished."""
    queue = await queue_with_inbox(admin.organization_id)

    async def send(address: str) -> dict[str, Any]:
        task = await sent_task(admin, queue=gid_of(queue), to=to(address))

        async def finished() -> bool:
            row = await Task.get(id=pk_of(task["id"]))
            return row.status in {TaskStatus.SUCCEEDED, TaskStatus.FAILED}

        await eventually(finished, within=30, what="finished send task")
        return await task_of(admin, task["id"])

    return send


async def test_sends_one_after_another_share_one_session(
    smtp_sink, start, send_and_wait
):
    await start()
    first = await send_and_wait("x@client.test")
    second = await send_and_wait("y@client.test")
    # then both went out over the session the first opened, each on its first try
    assert len(smtp_sink.received) == 2 and smtp_sink.sessions == 1
    for done in (first, second):
        assert done["status"] == "SUCCEEDED"
        assert done["email"]["deliveryStatus"] == "SENT"
        assert done["email"]["tryCount"] == 1


async def test_without_a_pool_each_send_has_a_session(
    settings, smtp_sink, start, send_and_wait
):
    settings(smtp_pool_size="0")
    await start()
    await send_and_wait("x@client.test")
    await send_and_wait("y@client.test")
    assert len(smtp_sink.received) == 2 and smtp_sink.sessions == 2
    assert smtp_sink.quits == 2


async def test_a_kept_session_the_server_closed_is_replaced(
    smtp_sink, start, send_and_wait
):
    await start()
    await send_and_wait("x@client.test")
    # given the server closed the kept session meanwhile (its idle timeout)
    smtp_sink.hang_up()
    # when the next email is sent
    done = await send_and_wait("y@client.test")
    # then it went out on a new session, once, and is not FAILED
    assert smtp_sink.sessions == 2
    assert [m.recipients for m in smtp_sink.received] == [
        ["x@client.test"],
        ["y@client.test"],
    ]
    assert done["status"] == "SUCCEEDED"
    assert done["email"]["deliveryStatus"] == "SENT"
    assert done["email"]["tryCount"] == 1


async def test_a_kept_session_lost_before_data_is_no_try(
    smtp_sink, start, send_and_wait
):
    await start()
    await send_and_wait("x@client.test")
    # given the kept session breaks off at RCPT (once), before any DATA
    smtp_sink.refuse = {"y@client.test": smtp_sink.DROP}
    done = await send_and_wait("y@client.test")
    # then the message went out on a new session, and that loss was no try of its
    assert smtp_sink.sessions == 2 and smtp_sink.attempts == 2
    assert [m.recipients for m in smtp_sink.received][-1] == ["y@client.test"]
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 1
    assert [t["status"] for t in sent["lastTries"]] == ["250"]


async def test_a_session_past_the_servers_message_limit_is_replaced(
    smtp_sink, start, send_and_wait
):
    # given a server that takes one message a session
    smtp_sink.messages_per_session = 1
    await start()
    await send_and_wait("x@client.test")
    done = await send_and_wait("y@client.test")
    # then the kept session's refusal was no try: the second went out on a new one
    assert smtp_sink.sessions == 2 and len(smtp_sink.received) == 2
    sent = done["email"]
    assert sent["deliveryStatus"] == "SENT" and sent["tryCount"] == 1
    assert [t["status"] for t in sent["lastTries"]] == ["250"]


async def test_a_kept_session_lost_during_data_is_uncertain(
    smtp_sink, start, send_and_wait
):
    await start()
    await send_and_wait("x@client.test")
    # given the server takes the next message on the kept session, then drops it
    smtp_sink.data_replies = [smtp_sink.DROP]
    done = await send_and_wait("y@client.test")
    # then it may have arrived: DELIVERY_UNCERTAIN, and not sent on a new session
    assert smtp_sink.sessions == 1 and len(smtp_sink.dropped) == 1
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == "DELIVERY_UNCERTAIN"
    failed = done["email"]
    assert failed["deliveryStatus"] == "FAILED" and failed["tryCount"] == 1
    assert failed["lastTries"][0]["status"] == "SMTPServerDisconnected"


async def test_a_session_idle_past_its_time_is_quit(
    settings, smtp_sink, start, send_and_wait
):
    settings(smtp_pool_idle_seconds="0.2")
    await start()
    await send_and_wait("x@client.test")
    # when the kept session stays unused past SMTP_POOL_IDLE_SECONDS
    await eventually(lambda: _quit(smtp_sink), within=10, what="QUIT")
    # then the next send opens a new one
    await send_and_wait("y@client.test")
    assert smtp_sink.sessions == 2 and len(smtp_sink.received) == 2


async def _quit(sink: Any) -> bool:
    return sink.quits == 1


async def test_worker_shutdown_quits_the_kept_session(smtp_sink, start, send_and_wait):
    worker = await start()
    await send_and_wait("x@client.test")
    # given the session the send used is kept open
    assert smtp_sink.sessions == 1 and smtp_sink.quits == 0
    # when the worker shuts down
    await stop(worker)
    # then it ended the session with QUIT
    assert smtp_sink.quits == 1
