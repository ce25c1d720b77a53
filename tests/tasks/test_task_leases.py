"""Task leases: a task whose worker died is taken over once its short lease lapses;
the heartbeat keeps a slow job's task from being taken over; a cancelled job hands
its task back at once. Real arq burst workers on the test's Redis and database."""

import asyncio
import base64
import time
from typing import Any

from arq.constants import in_progress_key_prefix, result_key_prefix
from arq.worker import func

from app.tasks import lifecycle
from app.tasks.jobs import Outcome, task_job
from app.tasks.models import Task, TaskKind, TaskStatus
from app.tasks.queue import enqueue_task
from app.tasks.reconcile import reconcile_tasks
from app.worker import build_worker
from tests.factories import make_inbox, make_queue

RAW = (
    b"From: a@supplier.test\r\nTo: in@acme.test\r\nSubject: Taken over\r\n"
    b"Message-ID: <taken-over@supplier.test>\r\n\r\nbody\r\n"
)

IMPORT = (
    "mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,"
    ' recipient: "in@acme.test"}) { ... on Task { id } } }'
)


async def _import(admin) -> Task:
    """An import submitted through the API (its job queued in arq); its row."""
    await make_inbox(
        admin.organization_id,
        "in@acme.test",
        queue=await make_queue(admin.organization_id, "Q"),
    )
    await admin.data(IMPORT, {"raw": base64.b64encode(RAW).decode()})
    return await Task.get()


async def _queued_task(admin, redis) -> Task:
    """An IMPORT_EMAIL task with its arq job queued (run by a test's own work)."""
    task = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL
    )
    assert await enqueue_task(redis, task)
    return task


async def _run_work(redis, work, **options: Any) -> None:
    """A real arq burst worker whose import job runs `work` in the job skeleton."""
    job = func(task_job("import_email_job", work), name="import_email_job")
    worker = build_worker(
        functions=[job],
        cron_jobs=[],
        burst=True,
        redis_pool=redis,
        poll_delay=0.01,
        handle_signals=False,
        **options,
    )
    await worker.main()


async def test_a_task_whose_worker_died_is_taken_over_when_its_lease_lapses(
    admin, redis, run_jobs, settings
):
    settings(task_lease_seconds=1)
    # given an import whose worker claimed it and was killed (SIGKILL): the task
    # RUNNING, and arq's job still queued under the dead worker's in-progress key
    task = await _import(admin)
    died = time.monotonic()
    assert await lifecycle.claim(str(task.id)) is not None
    key = in_progress_key_prefix + str(task.id)
    await redis.psetex(key, 310_000, b"1")  # job_timeout + 10 s, as arq sets it
    # while the lease runs, the reconciler leaves it to its worker
    assert await reconcile_tasks({"redis": redis}) == 0
    assert (await Task.get(id=task.id)).status is TaskStatus.RUNNING
    # when the lease lapses and the reconciler passes, then a worker
    await asyncio.sleep(1.1)
    assert await reconcile_tasks({"redis": redis}) == 1
    assert not await redis.exists(key)
    await run_jobs()
    # then the next run took the task over and finished it
    row = await Task.get(id=task.id)
    assert (row.status, row.attempts, row.lease_until) == (
        TaskStatus.SUCCEEDED,
        2,
        None,
    )
    assert row.email_id is not None
    took = time.monotonic() - died
    assert took < 3, f"taken over after {took:.1f} s"


async def test_a_run_finding_the_task_in_a_live_lease_skips_it_until_it_lapses(
    admin, redis, run_jobs, settings
):
    settings(task_lease_seconds=1)
    # given an import claimed by a worker that then died, and its job run again
    # (as arq does) while the lease still runs: that run skips it
    task = await _import(admin)
    assert await lifecycle.claim(str(task.id)) is not None
    await run_jobs()
    assert (await Task.get(id=task.id)).status is TaskStatus.RUNNING
    # when the lease lapses, the reconciler enqueues the job again and it runs
    await asyncio.sleep(1.1)
    assert await reconcile_tasks({"redis": redis}) == 1
    await run_jobs()
    assert (await Task.get(id=task.id)).status is TaskStatus.SUCCEEDED


async def test_the_heartbeat_keeps_a_slow_jobs_task_from_being_taken_over(
    admin, redis, settings
):
    settings(task_lease_seconds=0.6)
    task = await _queued_task(admin, redis)
    taken_over: list[object] = []

    async def slow(task: Task) -> Outcome:
        for _ in range(4):  # 1.6 s: well past the 0.6 s lease
            await asyncio.sleep(0.4)
            taken_over.append(await lifecycle.claim(str(task.id)))
            assert await reconcile_tasks({"redis": redis}) == 0
        return Outcome("done")

    # when a job slower than the lease runs, and others try to take it over
    await _run_work(redis, slow)
    # then nobody could, and the run that held it finished it
    assert taken_over == [None] * 4
    row = await Task.get(id=task.id)
    assert (row.status, row.attempts) == (TaskStatus.SUCCEEDED, 1)


async def test_a_job_cancelled_by_arqs_timeout_hands_its_task_back_at_once(
    admin, redis, settings
):
    task = await _queued_task(admin, redis)

    async def endless(task: Task) -> Outcome:
        await asyncio.sleep(30)
        return Outcome("done")

    # when arq cancels the job at its timeout
    started = time.monotonic()
    await _run_work(redis, endless, job_timeout=0.3)
    # then the task is QUEUED again, with no lease, for the next worker
    assert time.monotonic() - started < 3
    row = await Task.get(id=task.id)
    assert (row.status, row.lease_until, row.attempts) == (TaskStatus.QUEUED, None, 1)


async def test_a_job_cancelled_by_a_stopping_worker_hands_its_task_back(
    admin, redis, settings
):
    task = await _queued_task(admin, redis)
    running = asyncio.Event()

    async def endless(task: Task) -> Outcome:
        running.set()
        await asyncio.sleep(30)
        return Outcome("done")

    job = func(task_job("import_email_job", endless), name="import_email_job")
    worker = build_worker(
        functions=[job],
        cron_jobs=[],
        redis_pool=redis,
        poll_delay=0.01,
        handle_signals=False,
    )
    main = asyncio.create_task(worker.async_run())
    await asyncio.wait_for(running.wait(), 5)
    # when the worker stops after its grace period (arq cancels what still runs)
    worker.handle_sig(15)
    await asyncio.gather(main, *worker.tasks.values(), return_exceptions=True)
    # then the task is back in the queue, and arq's job will run again
    row = await Task.get(id=task.id)
    assert (row.status, row.lease_until) == (TaskStatus.QUEUED, None)
    assert await redis.zscore(worker.queue_name, str(task.id)) is not None


async def test_a_run_whose_task_was_taken_over_stops_and_writes_nothing(
    admin, redis, settings
):
    settings(task_lease_seconds=0.3)
    task = await _queued_task(admin, redis)
    results: list[str] = []

    async def stalled(task: Task) -> Outcome:
        # another worker takes the task over (as if this one had stalled)
        await Task.filter(id=task.id).update(attempts=task.attempts + 1)
        await asyncio.sleep(5)
        results.append("finished")
        return Outcome("done")

    started = time.monotonic()
    await _run_work(redis, stalled)
    # the heartbeat found the task held by the other run and stopped this one
    assert results == [] and time.monotonic() - started < 3
    row = await Task.get(id=task.id)
    assert (row.status, row.attempts) == (TaskStatus.RUNNING, 2)


async def test_a_run_that_cannot_renew_its_lease_stops_before_it_lapses(
    admin, redis, settings, monkeypatch
):
    settings(task_lease_seconds=0.6)
    task = await _queued_task(admin, redis)
    results: list[str] = []

    async def database_away(task: Task) -> bool:
        raise ConnectionRefusedError("the database is away")

    async def slow(task: Task) -> Outcome:
        monkeypatch.setattr(lifecycle, "renew", database_away)
        await asyncio.sleep(5)
        results.append("finished")
        return Outcome("done")

    # when the lease cannot be renewed for longer than it lasts
    started = time.monotonic()
    await _run_work(redis, slow)
    # then the run stopped (another worker may take the task) and wrote nothing
    assert results == [] and time.monotonic() - started < 3
    row = await Task.get(id=task.id)
    assert (row.status, row.attempts) == (TaskStatus.RUNNING, 1)


async def test_a_task_interrupted_too_often_fails_instead_of_running_again(
    admin, redis, settings
):
    settings(task_max_interruptions=2)
    task = await _queued_task(admin, redis)
    runs: list[int] = []

    async def hangs(task: Task) -> Outcome:
        runs.append(task.attempts)
        await asyncio.sleep(30)
        return Outcome("done")

    # given a job that always outlives arq's timeout, run again each time
    for _ in range(3):
        await _run_work(redis, hangs, job_timeout=0.2)
        await redis.delete(result_key_prefix + str(task.id))
        await enqueue_task(redis, await Task.get(id=task.id))
    # then after two interruptions the third run gives the task up, with a code
    assert runs == [1, 2]
    row = await Task.get(id=task.id)
    assert (row.status, row.interruptions) == (TaskStatus.FAILED, 2)
    assert row.error_code == "INTERNAL_ERROR"
    assert "interrupted 2 times" in (row.error_message or "")


async def test_a_takeover_from_a_dead_worker_counts_as_an_interruption(admin, settings):
    settings(task_lease_seconds=0.2)
    task = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL
    )
    assert await lifecycle.claim(str(task.id)) is not None
    await asyncio.sleep(0.3)
    taken = await lifecycle.claim(str(task.id))
    assert taken is not None and (taken.attempts, taken.interruptions) == (2, 1)


async def test_work_that_meets_an_outage_is_run_again_not_failed(
    admin, redis, monkeypatch
):
    from app.tasks import jobs

    monkeypatch.setattr(jobs, "OUTAGE_RETRY_SECONDS", 0)
    task = await _queued_task(admin, redis)
    runs: list[int] = []

    async def flaky(task: Task) -> Outcome:
        runs.append(task.attempts)
        if len(runs) == 1:  # the database went away in the middle of the work
            raise ConnectionRefusedError("Connect call failed ('127.0.0.1', 5432)")
        return Outcome("done")

    # when the first run meets an outage
    await _run_work(redis, flaky)
    # then the task was handed back and the job's next run finished it
    row = await Task.get(id=task.id)
    assert runs == [1, 2]
    assert (row.status, row.error_code) == (TaskStatus.SUCCEEDED, None)
