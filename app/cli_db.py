"""What every database command of the CLI does around its work: check the
settings first, open the ORM, and turn expected failures into one line."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from tortoise.exceptions import BaseORMException

from app.core.errors import MailroomError
from app.db import close_db, open_db
from app.settings_check import DATABASE
from app.settings_check import check_or_exit as check_settings

T = TypeVar("T")


def with_db(work: Callable[[], Awaitable[T]], checks: tuple[str, ...] = DATABASE) -> T:
    """Check the settings `checks` names, then run one database action; domain
    errors end the command with a message (exit 1), bad settings with exit 2."""
    check_settings(*checks)

    async def run() -> T:
        await open_db()
        try:
            return await work()
        finally:
            await close_db()

    try:
        return asyncio.run(run())
    except MailroomError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except BaseORMException as exc:
        typer.echo(
            f"error: database: {exc} (has `mailroom migrate` been run?)", err=True
        )
        raise typer.Exit(1) from None
