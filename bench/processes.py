"""Mailroom's own commands (`serve`, `worker`) as separate processes on a benchmark's
database: what an operator runs, so the figures include the process boundaries."""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator

import psutil

from bench.env import Env


@contextlib.contextmanager
def running(
    env: Env, *args: str, ready: Callable[[], bool]
) -> Iterator[psutil.Process]:
    """`mailroom ARGS…` until the block ends, once `ready()` says it is up; its
    output goes to a file that is shown if it exits early."""
    child_env = {
        **os.environ,
        "DATABASE_URL": env.url,
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "LOG_LEVEL": "WARNING",
    }
    command = "from app.cli import main; main()"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-c", command, *args],
            env=child_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    tail = output.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"mailroom {args[0]} is not up:\n{tail}")
                time.sleep(0.2)
            yield psutil.Process(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cpu_seconds(*processes: psutil.Process) -> float:
    """CPU time (user + system) of these processes and all their live children."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            for p in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = p.cpu_times()
                    total += times.user + times.system
    return total


def worker_beating() -> bool:
    """A `mailroom worker` wrote its first heartbeat (`mailroom health worker`)."""
    import redis

    from app.core.redis import redis_url
    from app.worker import worker_options

    with redis.Redis.from_url(redis_url()) as client:
        return bool(client.exists(f"{worker_options()['queue_name']}:health-check"))
