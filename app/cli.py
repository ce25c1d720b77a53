"""`mailroom` commands. Each reads the same settings as the server (env, .env)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from tortoise.exceptions import BaseORMException

from app.accounts import service as accounts
from app.accounts.models import Role
from app.core.errors import MailroomError
from app.db import close_db, migrate, open_db
from app.health_cli import health_app
from app.settings_check import ALL, BLOB_STORE_URL, DATABASE, LOG_LEVEL, REDIS_URL
from app.settings_check import check_or_exit as check_settings

T = TypeVar("T")

app = typer.Typer(help="Mailroom: email intake GraphQL API.", no_args_is_help=True)
org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
queue_app = typer.Typer(help="Queues.", no_args_is_help=True)
inbox_app = typer.Typer(help="Inboxes.", no_args_is_help=True)
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


def _with_db(work: Callable[[], Awaitable[T]], checks: tuple[str, ...] = DATABASE) -> T:
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


@org_app.command("create")
def org_create(
    name: str,
    admin_email: Annotated[str, typer.Option(help="Email of the first ADMIN user.")],
    admin_name: Annotated[str, typer.Option()] = "",
    send_limit: Annotated[
        int | None, typer.Option(help="Outgoing email allowance.")
    ] = None,
) -> None:
    """Create an organization, its admin user and a token; print them as JSON."""
    from app.core import ids

    org, user, token = _with_db(
        lambda: accounts.create_organization(
            name=name,
            admin_email=admin_email,
            admin_name=admin_name,
            send_limit=send_limit,
        )
    )
    typer.echo(
        json.dumps(
            {
                "organization": ids.encode("Organization", org.id),
                "user": ids.encode("User", user.id),
                "token": token,
            }
        )
    )


@user_app.command("create")
def user_create(
    email: str,
    organization: Annotated[str, typer.Option(help="Organization global id.")],
    role: Annotated[Role, typer.Option(case_sensitive=False)] = Role.VIEWER,
    full_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user in an organization; print its global id."""
    from app.core import ids

    async def work() -> Any:
        return await accounts.create_user(
            organization_id=await _organization_id(organization),
            email=email,
            full_name=full_name,
            role=role,
        )

    user = _with_db(work)
    typer.echo(ids.encode("User", user.id))


async def _organization_id(global_id: str) -> int:
    """The primary key of an existing organization, else a NotFound error."""
    from app.accounts.models import Organization
    from app.core.ids import decode_or_not_found

    pk = decode_or_not_found(global_id, "Organization", field="organization")
    if not await Organization.exists(id=pk):
        raise MailroomError(f"No Organization with id {global_id!r}.")
    return pk


@org_app.command("list")
def org_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list.")] = False,
) -> None:
    """List organizations: `ID<TAB>NAME` lines, or JSON with the send limits."""
    from app.accounts.models import Organization
    from app.core import ids

    orgs = _with_db(lambda: Organization.all().order_by("id"))
    rows = [
        {
            "id": ids.encode("Organization", o.id),
            "name": o.name,
            "sendLimit": o.send_limit,
        }
        for o in orgs
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        typer.echo(f"{row['id']}\t{row['name']}")


@queue_app.command("create")
def queue_create(
    name: str,
    organization: Annotated[str, typer.Option(help="Organization global id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create a queue in an organization; print its global id."""
    from app.core import ids
    from app.inboxes import service as inboxes

    async def work() -> Any:
        org_id = await _organization_id(organization)
        return await inboxes.create_queue(organization_id=org_id, name=name)

    queue_id = ids.encode("Queue", _with_db(work).id)
    typer.echo(json.dumps({"queue": queue_id}) if as_json else queue_id)


@inbox_app.command("create")
def inbox_create(
    address: str,
    queue: Annotated[str, typer.Option(help="Queue global id.")],
    name: Annotated[str | None, typer.Option()] = None,
    accept: Annotated[
        list[str] | None,
        typer.Option(help="Accepted MIME type, e.g. application/pdf or image/*."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create an inbox (its import address) feeding a queue; print its global id.

    Validated by the same service as the createInbox mutation. No --accept means
    every type is accepted.
    """
    from app.core import ids
    from app.core.ids import decode_or_not_found
    from app.inboxes import service as inboxes
    from app.inboxes.models import Queue

    async def work() -> Any:
        pk = decode_or_not_found(queue, "Queue", field="queue")
        row = await Queue.get_or_none(id=pk)
        if row is None:
            raise MailroomError(f"No Queue with id {queue!r}.")
        return await inboxes.create_inbox(
            organization_id=row.organization_id,
            queue_id=row.id,
            email=address,
            name=name,
            accepted_mime_types=accept or None,
        )

    inbox = _with_db(work)
    inbox_id = ids.encode("Inbox", inbox.id)
    if as_json:
        queue_id = ids.encode("Queue", inbox.queue_id)
        typer.echo(
            json.dumps({"inbox": inbox_id, "address": inbox.email, "queue": queue_id})
        )
    else:
        typer.echo(inbox_id)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Email of the user.")],
    name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create an API token for a user and print the token alone."""
    typer.echo(_with_db(lambda: accounts.token_for_email(email=user, name=name)))


@token_app.command("revoke")
def token_revoke(token: str) -> None:
    """Revoke a token (give the token itself)."""
    _with_db(lambda: accounts.revoke_plain_token(token))
    typer.echo("revoked")


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
    import uvicorn

    check_settings(*ALL)

    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
    )


@app.command("worker")
def worker() -> None:
    """Run an arq worker (production: as many as the load needs)."""
    check_settings(*ALL)
    from app.worker import build_worker

    build_worker().run()


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

    summary = _with_db(work, INTAKE)
    typer.echo("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
    if summary.get("FAILED") or summary.get("REFUSED"):
        raise typer.Exit(1)


@app.command("dev")
def dev(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Embedded mode: migrate, seed a demo org, run API + worker in one process."""
    check_settings(*ALL)
    from app.dev import run_dev

    run_dev(host=host, port=port)


def main() -> None:
    app()
