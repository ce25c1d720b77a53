"""Tortoise configuration, connection lifecycle and migrations."""

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from app.settings import get_settings

MODEL_MODULES = [
    "app.accounts.models",
    "app.inboxes.models",
    "app.mail.models",
    "app.mail.relations",
    "app.documents.models",
    "app.tasks.models",
    "app.templates.models",
    "app.webhooks.models",
]


async def keep_session(connection: Any) -> None:
    """asyncpg's pool reset, minus its reset query. Before calling this the pool
    already rolls back a transaction left open; its default then runs
    `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` — one more
    round trip after every statement Tortoise sends, for session state (advisory
    locks, cursors, LISTEN, SET) Mailroom never leaves on a connection."""


def tortoise_config(
    database_url: str | None = None, *, bounded: bool = True
) -> dict[str, Any]:
    """The ORM's configuration. `bounded`: PostgreSQL connects and statements time
    out (DATABASE_TIMEOUT_SECONDS), so a hung server turns into an outage error
    (503 in the API, a retry in the worker) instead of a request that waits for
    ever; migrations run unbounded (an index build may take long)."""
    settings = get_settings()
    url = database_url or settings.effective_database_url
    connection: str | dict[str, Any] = url
    if url.startswith("sqlite://"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        connection = {**expand_db_url(url), "engine": "app.sqlite_engine"}
    elif bounded and (expanded := expand_db_url(url))["engine"].endswith("asyncpg"):
        limit = settings.database_timeout_seconds
        credentials = expanded["credentials"]
        for option in ("timeout", "command_timeout"):  # the URL's own win
            credentials[option] = float(credentials.get(option) or limit)
        credentials["reset"] = keep_session
        connection = expanded
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "app.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads TORTOISE_ORM (see pyproject [tool.tortoise]);
    # built lazily so importing this module never reads settings.
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)


_open_url: str | None = None


async def open_db(database_url: str | None = None) -> bool:
    """Open the ORM unless this process already has; True if this call opened it."""
    global _open_url
    url = database_url or get_settings().effective_database_url
    if _open_url is not None:
        if database_url is not None and url != _open_url:
            raise RuntimeError("The ORM is already open on another database.")
        return False
    # The global fallback lets tasks that did not run init see the ORM: uvicorn
    # runs the lifespan in one task and every request in others.
    await Tortoise.init(
        config=tortoise_config(database_url), _enable_global_fallback=True
    )
    _open_url = url
    return True


async def close_db() -> None:
    global _open_url
    await Tortoise.close_connections()
    # Tortoise caches statement SQL per connection name, not per engine: the next
    # open_db may be another engine (tests, `migrate` then `serve` in one process).
    EXECUTOR_CACHE.clear()
    _open_url = None


async def migrate(database_url: str | None = None) -> None:
    """Apply every committed migration (idempotent)."""
    await run_migrations(config=tortoise_config(database_url, bounded=False))
