"""Redis goes away under a running `mailroom worker`: the same process waits, and
once Redis is back it runs the work queued meanwhile (it used to exit with 1)."""

import asyncio
import signal

from app.intake.service import request_import
from app.tasks.models import Task, TaskStatus
from tests.factories import make_inbox, make_queue
from tests.fixtures.processes import eventually

RAW = (
    b"From: a@supplier.test\r\nTo: in@acme.test\r\nSubject: After the outage\r\n"
    b"Message-ID: <after-outage@supplier.test>\r\n\r\nbody\r\n"
)


async def test_the_worker_outlives_a_redis_restart_and_runs_what_was_queued(
    admin, redis_server, redis, start_worker
):
    # given a worker running on a private Redis
    await make_inbox(
        admin.organization_id,
        "in@acme.test",
        queue=await make_queue(admin.organization_id, "Q"),
    )
    worker = await start_worker()
    # when Redis stops for a few seconds
    redis_server.stop()
    await asyncio.sleep(3)
    # then the worker is still there, waiting
    assert worker.returncode is None
    # and when Redis is back (empty: it keeps nothing) and an import is queued
    redis_server.start()
    task = await request_import(
        redis,
        raw=RAW,
        recipient="in@acme.test",
        organization_id=admin.organization_id,
        creator_id=admin.user_id,
        source="test",
    )

    # then the same process runs it
    async def done() -> bool:
        return (await Task.get(id=task.id)).status is TaskStatus.SUCCEEDED

    await eventually(done, within=45, what="the import after the outage")
    assert worker.returncode is None
    worker.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(worker.wait(), 30) == 0
