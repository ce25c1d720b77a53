"""`mailroom dev`: everything in one process on the embedded defaults."""

import asyncio
import contextlib
from typing import Any
from urllib.parse import quote

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


class _Server(uvicorn.Server):
    """uvicorn's server, telling when its socket listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.listening.set()


async def _serve(host: str, port: int) -> None:
    await migrate()
    await close_db()
    await open_db()  # shared by the API and the worker of this process
    token = await seed_demo()
    app = create_app()
    server = _Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    worker = build_worker()
    worker_task = asyncio.create_task(worker.async_run())
    serving = asyncio.create_task(server.serve())
    try:
        # The banner once the address answers, so what it names works at once.
        started = asyncio.create_task(server.listening.wait())
        await asyncio.wait({started, serving}, return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        if server.started:
            page = f"http://{host}:{port}/graphql"
            typer.echo(f"GraphiQL:     {page}")
            # The fragment never reaches a server; the page puts it in its headers.
            typer.echo(f"Signed in:    {page}#token={quote(token)}")
            typer.echo(f"Admin token:  {token}")
            typer.echo(f"Demo inbox:   {DEMO_INBOX}")
            typer.echo('Header:       {"Authorization": "Bearer ' + token + '"}')
        await serving
    finally:
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()
        await close_db()


def run_dev(*, host: str, port: int) -> None:
    asyncio.run(_serve(host, port))
