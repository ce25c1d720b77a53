"""arq worker settings: `mailroom worker` runs these; `mailroom dev` runs one in-process."""

from typing import Any

from arq import cron
from arq.worker import Worker

from app.db import close_db, open_db
from app.logs import configure_logging
from app.redis import arq_settings
from app.settings import get_settings
from app.tasks.reconcile import reconcile_tasks


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging()
    if not ctx.get("db_open_by_host"):
        await open_db()


async def shutdown(ctx: dict[str, Any]) -> None:
    if not ctx.get("db_open_by_host"):
        await close_db()


def queue_name() -> str:
    return f"{get_settings().redis_key_prefix}:queue"


def worker_options() -> dict[str, Any]:
    return {
        "functions": [],
        "cron_jobs": [cron(reconcile_tasks, second={0, 30}, run_at_startup=True)],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "queue_name": queue_name(),
        "redis_settings": arq_settings(),
        "max_jobs": 10,
        "job_timeout": 300,
        "keep_result": 3600,
    }


def build_worker(**overrides: Any) -> Worker:
    return Worker(**{**worker_options(), **overrides})
