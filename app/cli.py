"""`mailroom` commands. Each reads the same settings as the server (env, .env)."""

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli_db import with_db
from app.db import close_db, migrate
from app.health_cli import health_app
from app.provision_cli import inbox_app, org_app, queue_app, token_app, user_app
from app.settings import get_settings
from app.settings_check import ALL, BLOB_STORE_URL, DATABASE, LOG_LEVEL, REDIS_URL
from app.settings_check import check_or_exit as check_settings

app = typer.Typer(help="Mailroom: email intake GraphQL API.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(queue_app, name="queue")
app.add_typer(inbox_app, name="inbox")
app.add_typer(health_app, name="health")

# What `smtpd` and `import` read: no outgoing mail.
INTAKE = (*DATABASE, REDIS_URL, BLOB_STORE_URL, LOG_LEVEL)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mailroom {metadata.version('mailroom')}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print version."
        ),
    ] = False,
) -> None:
    """Mailroom: email intake GraphQL API."""


@app.command("migrate")
def migrate_command() -> None:
    """Apply database migrations."""
    check_settings(*DATABASE)
    asyncio.run(_migrate())
    typer.echo("migrations applied")


async def _migrate() -> None:
    try:
        await migrate()
    finally:
        await close_db()


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from app.graphql.schema import schema_sdl

    typer.echo(schema_sdl(), nl=False)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Run the API (production: several of these behind a load balancer)."""
    check_settings(*ALL)
    with metrics_directory():
        import uvicorn

        from app.core.logs import configure_logging

        configure_logging()
        uvicorn.run(
            "app.main:create_served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            # uvicorn's lines go through our handler, in our shape.
            log_config=None,
            # The client address is the app's to work out, from TRUSTED_PROXIES
            # only (uvicorn's default would trust X-Forwarded-For from 127.0.0.1).
            proxy_headers=False,
            # Longer than the idle timeout of common load balancers (60 s), so
            # the server is never the side that closes a connection a client is
            # about to reuse (uvicorn's 5 s drops such a request now and then).
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )


KEEP_ALIVE_SECONDS = 75


@contextlib.contextmanager
def metrics_directory() -> Iterator[None]:
    """PROMETHEUS_MULTIPROC_DIR for this run's API processes, so that /metrics
    sums them all: the operator's when set (it may be shared with workers, and is
    left as it is), else a fresh directory removed when the run ends. Set before
    prometheus-client is imported here or in a worker process: it reads it then."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    directory = tempfile.mkdtemp(prefix="mailroom-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(directory, ignore_errors=True)


@app.command("worker")
def worker() -> None:
    """Run an arq worker (production: as many as the load needs)."""
    check_settings(*ALL)
    from app.worker import run_worker

    run_worker()


@app.command("smtpd")
def smtpd(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 2525,
) -> None:
    """Receive mail over SMTP for the inboxes' addresses and import it."""
    check_settings(*INTAKE)
    from app.core.logs import configure_logging
    from app.smtpd import serve_smtp

    configure_logging()
    asyncio.run(serve_smtp(host, port))


@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    recipient: Annotated[str, typer.Option(help="The inbox address to import into.")],
) -> None:
    """Bulk import .eml and mbox files, with a progress bar and a summary."""
    from arq import create_pool

    from app.core.redis import arq_settings
    from app.intake.bulk import bulk_import

    async def work() -> Any:
        redis = await create_pool(arq_settings())
        try:
            return await bulk_import(redis, files, recipient)
        finally:
            await redis.aclose()

    summary = with_db(work, INTAKE)
    typer.echo("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
    if summary.get("FAILED") or summary.get("REFUSED"):
        raise typer.Exit(1)


@app.command("dev")
def dev(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Embedded mode: migrate, seed a demo org, run API + worker in one process."""
    # A developer's webhook receiver runs on this machine: loopback is allowed here
    # unless the environment says otherwise.
    os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    os.environ.setdefault("LOG_FORMAT", "console")  # a person reads these lines
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = _dev_secret_key(get_settings().var_dir)
    get_settings.cache_clear()
    check_settings(*ALL)
    from app.dev import run_dev

    run_dev(host=host, port=port)


def _dev_secret_key(var_dir: Path) -> str:
    """`dev`'s SECRET_KEY: made once under VAR_DIR (owner-only), so signed links
    outlive a restart and zero configuration still works."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def main() -> None:
    app()
