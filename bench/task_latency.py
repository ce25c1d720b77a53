"""Task latency: submit → SUCCEEDED of a trivial job through Mailroom's task
skeleton (Task row, claim, lease, finish, TASK_FINISHED) and worker options, against
a bare arq job with the same poll settings, both workers in this event loop.

Figure: p50 latency product / bare (≤ 1.2×). The client polls both every 5 ms.
"""

import asyncio
import statistics
import time
from typing import Any

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave

TASKS_PER_ROUND = 5
CLIENT_POLL = 0.005


async def _noop(ctx: dict[str, Any]) -> str:
    return "ok"


async def measure(env: Env, *, rounds: int = 7) -> list[Figure]:
    from arq import create_pool
    from arq.worker import Worker, func

    from app.core.redis import arq_settings
    from app.tasks.jobs import Outcome, task_job
    from app.tasks.models import Task, TaskKind, TaskStatus
    from app.tasks.service import submit
    from app.worker import build_worker, worker_options

    async def trivial(task: Task) -> Outcome:
        return Outcome("ok")

    poll = worker_options().get("poll_delay", 0.5)  # arq's default when unset
    redis = await create_pool(arq_settings())
    bare_queue = f"{env.var.name}:bare"
    product_worker = build_worker(
        functions=[task_job("dismiss_email_job", trivial)],
        cron_jobs=[],
        on_startup=None,
        on_shutdown=None,
        handle_signals=False,
        redis_pool=redis,
    )
    bare_worker = Worker(
        functions=[func(_noop, name="noop")],
        queue_name=bare_queue,
        redis_pool=redis,
        poll_delay=poll,
        handle_signals=False,
        max_jobs=10,
    )
    workers = [asyncio.create_task(w.main()) for w in (product_worker, bare_worker)]

    async def product_one() -> float:
        start = time.perf_counter()
        task = await submit(
            redis, kind=TaskKind.DISMISS_EMAIL, organization_id=env.organization_id
        )
        while (await Task.get(id=task.id)).status is not TaskStatus.SUCCEEDED:  # noqa: ASYNC110
            await asyncio.sleep(CLIENT_POLL)
        return time.perf_counter() - start

    async def bare_one() -> float:
        from arq.jobs import JobStatus

        start = time.perf_counter()
        job = await redis.enqueue_job("noop", _queue_name=bare_queue)
        assert job is not None
        while await job.status() is not JobStatus.complete:  # noqa: ASYNC110
            await asyncio.sleep(CLIENT_POLL)
        return time.perf_counter() - start

    async def p50(one: Any) -> float:
        return statistics.median([await one() for _ in range(TASKS_PER_ROUND)])

    try:
        arms = await interleave(
            lambda: p50(product_one), lambda: p50(bare_one), rounds=rounds
        )
    finally:
        # Not Worker.close(): it would close the shared pool; stop polling, then
        # let the jobs still running (a task's TASK_FINISHED) end.
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for worker in (product_worker, bare_worker):
            await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        await redis.aclose()
    figure = arms.figure(
        f"task latency p50 / bare arq (poll {poll:g} s)", Target("<=", 1.2)
    )
    return [figure]


async def run(engine: str) -> list[Figure]:
    async with environment(engine) as env:
        return await measure(env)
