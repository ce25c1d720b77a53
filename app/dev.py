"""`mailroom dev`: everything in one process on the embedded defaults."""

import asyncio
import contextlib

import typer
import uvicorn

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import close_db, migrate, open_db
from app.inboxes.models import Inbox, Queue
from app.main import create_app
from app.worker import build_worker

DEMO_ADMIN = "admin@demo.example.com"
DEMO_INBOX = "inbox@demo.example.com"


async def seed_demo() -> str:
    """Create the demo organization once; return a fresh admin token."""
    admin = await User.get_or_none(email=DEMO_ADMIN)
    if admin is None:
        org, admin, token = await accounts.create_organization(
            name="Demo", admin_email=DEMO_ADMIN, admin_name="Demo Admin"
        )
        queue = await Queue.create(organization=org, name="Demo queue")
        await Inbox.create(
            organization=org, queue=queue, email=DEMO_INBOX, name="Demo inbox"
        )
        return token
    _, token = await accounts.create_token(user=admin, name="dev")
    return token


async def _serve(host: str, port: int) -> None:
    await migrate()
    await close_db()
    await open_db()  # shared by the API and the worker of this process
    token = await seed_demo()
    app = create_app()
    typer.echo(f"GraphiQL:     http://{host}:{port}/graphql")
    typer.echo(f"Admin token:  {token}")
    typer.echo(f"Demo inbox:   {DEMO_INBOX}")
    typer.echo('Header:       {"Authorization": "Bearer ' + token + '"}')
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning")
    )
    worker = build_worker()
    worker_task = asyncio.create_task(worker.async_run())
    try:
        await server.serve()
    finally:
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()
        await close_db()


def run_dev(*, host: str, port: int) -> None:
    asyncio.run(_serve(host, port))
