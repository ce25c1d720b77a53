"""arq worker settings: `mailroom worker` runs them; `mailroom dev` runs one inline."""

import asyncio
import logging
from typing import Any

from arq import cron
from arq.worker import Worker

from app.core.errors import is_outage
from app.core.logs import configure_logging
from app.core.redis import arq_settings
from app.db import close_db, open_db
from app.intake.jobs import import_email_job
from app.intake.parse_runner import shutdown_parser
from app.outbox.jobs import send_email_job
from app.outbox.smtp_pool import open_pool
from app.settings import get_settings
from app.tasks.queue import queue_name
from app.tasks.reconcile import (
    RECONCILE_SECONDS,
    purge_expired_tasks,
    reconcile_tasks,
)
from app.triage.attaching import attach_email_job
from app.triage.dismissal import dismiss_email_job
from app.webhooks.jobs import deliver_webhook_job, requeue_lost_deliveries

KEEP_RESULT_SECONDS = 60


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging()
    ctx["opened_db"] = await open_db()
    # The jobs this worker starts inherit the pool (a context variable).
    ctx["smtp_pool"] = open_pool()


async def shutdown(ctx: dict[str, Any]) -> None:
    shutdown_parser()
    await close_smtp(ctx)
    if ctx.get("opened_db"):
        await close_db()


async def close_smtp(ctx: dict[str, Any]) -> None:
    """QUIT the SMTP sessions the worker kept (its shutdown, or a run that ends
    without one: a burst worker in tests, a worker that lost Redis)."""
    pool = ctx.pop("smtp_pool", None)
    if pool is not None:
        await pool.close()


def worker_options() -> dict[str, Any]:
    return {
        "functions": [
            import_email_job,
            send_email_job,
            dismiss_email_job,
            attach_email_job,
            deliver_webhook_job,
        ],
        "cron_jobs": [
            cron(
                reconcile_tasks,
                second=set(range(0, 60, RECONCILE_SECONDS)),
                run_at_startup=True,
            ),
            cron(purge_expired_tasks, minute={17}, second={0}),
            cron(requeue_lost_deliveries, second={30}),
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "queue_name": queue_name(),
        "redis_settings": arq_settings(),
        "max_jobs": 10,
        # A task waits for the next poll before it starts: arq's 0.5 s default is
        # half a second of latency on every submit (bench/task_latency.py).
        "poll_delay": get_settings().worker_poll_seconds,
        "job_timeout": 300,
        # Tasks and webhook deliveries live in the database; arq's result is only
        # what refuses a second enqueue of the same job id for this long, and the
        # reconcilers delete it when they need to re-enqueue sooner.
        "keep_result": KEEP_RESULT_SECONDS,
        # SIGTERM: take no new job, let running ones finish this long, then cancel
        # them (their tasks are handed back, QUEUED, for the next worker).
        "job_completion_wait": get_settings().worker_grace_seconds,
        # Sends retry through arq's Retry (same job id); our own cap is SEND_MAX_TRIES.
        "max_tries": 50,
        # The `<queue>:health-check` key `mailroom health worker` reads lives this
        # long + 1 s and is rewritten each interval (arq's default is an hour).
        "health_check_interval": 15,
    }


def build_worker(**overrides: Any) -> Worker:
    return Worker(**{**worker_options(), **overrides})


log = logging.getLogger("mailroom.worker")


def run_worker() -> None:
    """`mailroom worker`: run until SIGTERM/SIGINT, and outlive Redis outages.

    arq's run ends when the Redis connection is lost; a worker process that exits
    then needs a supervisor to come back. Instead a fresh arq worker is started
    (its connect retries pace the attempts), with one log line when Redis goes
    and one when it is back. Tasks live in the database, so nothing is lost:
    jobs that were running hand their tasks back or are taken over by lease.
    """
    serve_worker_metrics()
    down = False
    while True:
        worker = build_worker(on_startup=_startup_after(down))
        try:
            worker.run()
            return  # stopped by a signal
        except Exception as exc:
            if not is_outage(exc):
                raise
            if not down:
                log.warning("redis unreachable; reconnecting", extra=_reason(exc))
            down = True
            _settle(worker)
            worker.loop.run_until_complete(close_smtp(worker.ctx))
            worker.loop.run_until_complete(close_db())


def serve_worker_metrics() -> None:
    """WORKER_METRICS_PORT set: this worker's metrics over HTTP for Prometheus
    (jobs, imports, sends, SMTP failures, webhook deliveries)."""
    settings = get_settings()
    if settings.worker_metrics_port is None:
        return
    from prometheus_client import start_http_server

    from app.http.metrics import registry

    start_http_server(
        settings.worker_metrics_port,
        addr=settings.worker_metrics_host,
        registry=registry(),
    )
    log.info(
        "metrics listening",
        extra={
            "fields": {
                "host": settings.worker_metrics_host,
                "port": settings.worker_metrics_port,
            }
        },
    )


def _settle(worker: Worker) -> None:
    """Let the jobs a worker that lost Redis still runs end before the database
    closes under them: arq's close() stops waiting for them at the first job
    whose own Redis bookkeeping fails. Their tasks are in the database; only
    arq's record of them is lost, and the reconciler mends that."""
    running = [job for job in worker.tasks.values() if not job.done()]
    if running:
        worker.loop.run_until_complete(asyncio.wait(running))


def _startup_after(down: bool) -> Any:
    async def start(ctx: dict[str, Any]) -> None:
        await startup(ctx)
        if down:
            log.info("redis reachable again; worker running")

    return start


def _reason(exc: BaseException) -> dict[str, Any]:
    return {"fields": {"error": f"{type(exc).__name__}: {exc}"[:300]}}
