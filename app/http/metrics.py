"""/metrics: every process's counters in one answer, and queue depth counted now.

With PROMETHEUS_MULTIPROC_DIR set (`mailroom serve` sets it up for its worker
processes) each process writes its values to files there and a scrape sums them
all, so whichever API process answers tells the same truth. Without it (tests,
`mailroom dev`: one process) the process's own registry answers.
"""

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path

import psutil
from arq.connections import ArqRedis
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from tortoise.functions import Count

from app.tasks.models import Task, TaskStatus
from app.tasks.queue import queue_name

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PROBE_TIMEOUT = 2.0
UNFINISHED = (TaskStatus.QUEUED, TaskStatus.RUNNING)


def registry() -> CollectorRegistry:
    """What a scrape reads: the sum of every process's files, or this process."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    from prometheus_client import multiprocess

    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed)
    return summed


def forget_dead_processes() -> None:
    """Drop the live-gauge files of processes that are gone (a worker uvicorn
    replaced); their counters stay, so totals never go down."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return
    from prometheus_client import multiprocess

    for path in Path(directory).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            multiprocess.mark_process_dead(int(pid), directory)


def process_ends() -> None:
    if directory := os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid(), directory)


class _Counted(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _task_counts() -> list[tuple[str, str, int]]:
    return await (
        Task.filter(status__in=UNFINISHED)
        .annotate(n=Count("id"))
        .group_by("kind", "status")
        .values_list("kind", "status", "n")
    )


async def queue_depth(redis: ArqRedis) -> list[Metric]:
    """Unfinished tasks (the database's truth) and jobs waiting in arq's queue;
    a family whose source does not answer in time is left out of this scrape."""
    families: list[Metric] = []
    try:
        counts = await asyncio.wait_for(_task_counts(), PROBE_TIMEOUT)
    except Exception:
        counts = None
    if counts is not None:
        tasks = GaugeMetricFamily(
            "mailroom_tasks",
            "Unfinished tasks by kind and status, counted at scrape time",
            labels=["kind", "status"],
        )
        seen = {(str(kind), str(status)): n for kind, status, n in counts}
        for kind in {kind for kind, _ in seen} | {"IMPORT_EMAIL", "SEND_EMAIL"}:
            for status in UNFINISHED:
                tasks.add_metric([kind, status.value], seen.get((kind, status), 0))
        families.append(tasks)
    try:
        waiting = await asyncio.wait_for(redis.zcard(queue_name()), PROBE_TIMEOUT)
    except Exception:
        waiting = None
    if waiting is not None:
        families.append(
            GaugeMetricFamily(
                "mailroom_queue_jobs",
                "Jobs in the arq queue (waiting or deferred), at scrape time",
                value=waiting,
            )
        )
    return families


async def exposition(redis: ArqRedis) -> bytes:
    counted = CollectorRegistry(auto_describe=False)
    counted.register(_Counted(await queue_depth(redis)))
    return generate_latest(registry()) + generate_latest(counted)
