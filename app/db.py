"""Tortoise configuration, connection lifecycle and migrations."""

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from app.settings import get_settings

MODEL_MODULES = [
    "app.accounts.models",
    "app.inboxes.models",
    "app.mail.models",
    "app.documents.models",
    "app.tasks.models",
]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    settings = get_settings()
    url = database_url or settings.effective_database_url
    if url.startswith("sqlite://"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": url},
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
    url = tortoise_config(database_url)["connections"]["default"]
    if _open_url is not None:
        if database_url is not None and url != _open_url:
            raise RuntimeError("The ORM is already open on another database.")
        return False
    await Tortoise.init(config=tortoise_config(database_url))
    _open_url = url
    return True


async def close_db() -> None:
    global _open_url
    await Tortoise.close_connections()
    _open_url = None


async def migrate(database_url: str | None = None) -> None:
    """Apply every committed migration (idempotent)."""
    await run_migrations(config=tortoise_config(database_url))
