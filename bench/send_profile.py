"""Where a send's time goes (bench/LEVERS.md): the sendEmail mutation over uvicorn
and the send job, each in this process, with its SQL statements, its transactions,
its CPU time a send, and the top of its cProfile by own time.

`python -m bench.send_profile [sqlite|postgres] [SENDS]`

The mutations are posted one at a time from another thread (so the client's CPU is
not counted), and the jobs are `send_email_job` called as the worker calls it, with
the worker's SMTP pool, to an aiosmtpd sink in a thread of its own: the CPU times
and profiles are of this thread alone (`time.thread_time`), the API's or the job's.
What a worker process adds around a job (arq's polling, its job and result keys)
is not in the job's figures. The raw arm's client is measured the same way.
"""

import asyncio
import contextlib
import cProfile
import io
import pstats
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiosmtplib
import httpx

from bench.env import environment
from bench.list_page import StatementCounter
from bench.send_rate import MUTATION, Sink, bench_queue, raw_message, send_input
from bench.servers import serving

TOP = 15


@contextlib.contextmanager
def transactions() -> Iterator[list[int]]:
    """How many transactions Tortoise begins (a BEGIN and a COMMIT each)."""
    from tortoise.backends.asyncpg.client import TransactionWrapper

    from app.sqlite_engine import ImmediateTransactionWrapper

    count = [0]
    saved = {c: c.begin for c in (TransactionWrapper, ImmediateTransactionWrapper)}

    def counting(original: Any) -> Any:
        async def begin(self: Any) -> None:
            count[0] += 1
            await original(self)

        return begin

    for cls, original in saved.items():
        cls.begin = counting(original)  # type: ignore[method-assign]
    try:
        yield count
    finally:
        for cls, original in saved.items():
            cls.begin = original  # type: ignore[method-assign]


def sink_in_thread(sink: Sink) -> tuple[int, Callable[[], None]]:
    """An aiosmtpd server for `sink` on its own event loop and thread: its port,
    and what stops it."""
    from aiosmtpd.smtp import SMTP

    loop = asyncio.new_event_loop()
    started = threading.Event()
    servers: list[asyncio.Server] = []

    def serve() -> None:
        server = loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0)
        servers.append(loop.run_until_complete(server))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait()
    (server,) = servers

    def stop() -> None:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()

    return server.sockets[0].getsockname()[1], stop


async def measured(
    label: str, steps: list[Callable[[], Awaitable[Any]]], *, profile: bool
) -> list[Any]:
    """Run the steps one after another; print their transactions and CPU a step
    (this thread), and with `profile` the top of the profile. Statements are
    counted apart (`listed`): Tortoise logging each at DEBUG would cost CPU here."""
    profiler = cProfile.Profile(time.thread_time) if profile else None
    results = []
    with transactions() as begun:
        cpu = time.thread_time()
        if profiler:
            profiler.enable()
        for step in steps:
            results.append(await step())
        if profiler:
            profiler.disable()
        cpu = time.thread_time() - cpu
    n = len(steps)
    print(
        f"{label}: {begun[0] / n:.1f} transactions,"
        f" {cpu / n * 1000:.2f} ms CPU a step{' (profiled)' if profile else ''}"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        print(f"{label}: {stats.total_calls / n:.0f} function calls a step")  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(TOP)
        stats.sort_stats("cumulative").print_stats("/app/", TOP)
        print(out.getvalue())
    return results


async def run(engine: str, sends: int) -> None:
    from app.outbox.jobs import send_email_job
    from app.outbox.smtp_pool import open_pool

    sink = Sink()
    port, stop = sink_in_thread(sink)
    mail_url = f"smtp://127.0.0.1:{port}?starttls=off"
    counter = iter(range(10**6))
    try:
        async with environment(engine, MAIL_URL=mail_url) as env:
            from arq import create_pool

            from app.core import ids as gids
            from app.core.redis import arq_settings
            from app.main import create_app

            queue = await bench_queue(env)
            redis = await create_pool(arq_settings())
            pool = open_pool()
            async with serving(create_app()) as url:
                client = httpx.Client(base_url=url)
                headers = {"Authorization": f"Bearer {env.token}"}

                def post(n: int) -> str:
                    body = {
                        "query": MUTATION,
                        "variables": {"input": send_input(queue.id, n)},
                    }
                    response = client.post("/graphql", json=body, headers=headers)
                    (result,) = response.json()["data"].values()
                    assert result["__typename"] == "Task", result
                    # arq's job argument is the Task's UUID, not its GraphQL id.
                    return str(gids.decode(result["id"], "Task"))

                def mutation() -> Awaitable[str]:
                    return asyncio.to_thread(post, next(counter))

                async def job(task_id: str) -> Any:
                    return await send_email_job({"redis": redis}, task_id)

                for _ in range(5):  # warm: the first request's imports and caches
                    await job(await mutation())
                for profile in (False, True):
                    tasks = await measured(
                        f"{engine} sendEmail", [mutation] * sends, profile=profile
                    )
                    await measured(
                        f"{engine} send job",
                        [lambda t=t: job(t) for t in tasks],  # type: ignore[misc]
                        profile=profile,
                    )
                with StatementCounter() as statements:
                    task = await mutation()
                    of_mutation = statements.statements[:]
                    del statements.statements[:]
                    await job(task)
                    of_job = statements.statements[:]
                for name, listed in (("sendEmail", of_mutation), ("send job", of_job)):
                    print(f"{len(listed)} statements of one {name}:")
                    for statement in listed:
                        print("   ", statement[:200])

                async with aiosmtplib.SMTP(
                    hostname="127.0.0.1", port=port, start_tls=False
                ) as raw:
                    messages = [raw_message(next(counter)) for _ in range(sends)]
                    await measured(
                        f"{engine} raw aiosmtplib send_message (client only)",
                        [lambda m=m: raw.send_message(m) for m in messages],  # type: ignore[misc]
                        profile=False,
                    )
                await asyncio.to_thread(client.close)
            await pool.close()
            await redis.aclose()
    finally:
        stop()


if __name__ == "__main__":
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    asyncio.run(run(engine, int(sys.argv[2]) if len(sys.argv) > 2 else 40))
