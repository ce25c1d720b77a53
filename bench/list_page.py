"""A page of emails with their thread, documents, annotations, labels and counts.

Figures: list-100 over uvicorn against a bare sync Strawberry schema over in-memory
objects of the same shape, served the same way (≤ 1.5×); the data layer (what the
product spends beyond the bare schema) against the page's SELECTs sent raw through
the database driver (≤ 3×); the SQL statements of a
100-email page against a 10-email page (equal, and ≤ 13 each; on PostgreSQL each
asyncpg reset round trip counts as a statement).
"""

import logging
from typing import Any

import httpx
import strawberry
from strawberry.asgi import GraphQL

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave, median_of, summarize
from bench.servers import serving

QUERY = """query($n: Int!) { emails(first: $n) { totalCount edges { node {
  id subject labels annotationCounts { annotations annotationsProcessed }
  documents { originalFileName annotations { status } }
  emailThread { subject labels annotationCounts { annotations } }
} } } }"""
EMAILS = 120
REQUESTS_PER_ROUND = 5


async def seed(organization_id: int, count: int = EMAILS) -> None:
    from tortoise.transactions import in_transaction

    from app.documents.models import Annotation, Document
    from app.inboxes.models import Queue
    from app.mail.models import EmailType, Label
    from app.mail.service import NewEmail, record_email

    queue = await Queue.create(organization_id=organization_id, name="bench")
    async with in_transaction():
        for i in range(count):
            email = await record_email(
                NewEmail(
                    organization_id=organization_id,
                    queue_id=queue.id,
                    type=EmailType.INCOMING,
                    subject=f"Invoice {i}",
                    from_address=f"s{i % 7}@example.com",
                    labels=[Label.REPLY] if i % 3 else [],
                )
            )
            doc = await Document.create(
                organization_id=organization_id,
                email=email,
                original_file_name=f"{i}.pdf",
            )
            await Annotation.create(
                organization_id=organization_id,
                queue=queue,
                document=doc,
                email=email,
                email_thread_id=email.email_thread_id,
                status="TO_REVIEW",
            )


# The bare arm: the same shape, sync resolvers over objects already in memory.
@strawberry.type
class BareCounts:
    annotations: int
    annotations_processed: int


@strawberry.type
class BareAnnotation:
    status: str


@strawberry.type
class BareDocument:
    original_file_name: str
    annotations: list[BareAnnotation]


@strawberry.type
class BareThread:
    subject: str
    labels: list[str]
    annotation_counts: BareCounts


@strawberry.type
class BareEmail:
    id: strawberry.ID
    subject: str
    labels: list[str]
    annotation_counts: BareCounts
    documents: list[BareDocument]
    email_thread: BareThread


@strawberry.type
class BareEdge:
    node: BareEmail


@strawberry.type
class BareConnection:
    total_count: int
    edges: list[BareEdge]


def bare_schema(count: int = EMAILS) -> strawberry.Schema:
    emails = [
        BareEmail(
            id=strawberry.ID(f"RW1haWw6{i}"),
            subject=f"Invoice {i}",
            labels=["REPLY"] if i % 3 else [],
            annotation_counts=BareCounts(annotations=1, annotations_processed=0),
            documents=[
                BareDocument(
                    original_file_name=f"{i}.pdf",
                    annotations=[BareAnnotation(status="TO_REVIEW")],
                )
            ],
            email_thread=BareThread(
                subject=f"Invoice {i}",
                labels=["REPLY"] if i % 3 else [],
                annotation_counts=BareCounts(annotations=1, annotations_processed=0),
            ),
        )
        for i in range(count)
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def emails(self, first: int) -> BareConnection:
            return BareConnection(
                total_count=len(emails),
                edges=[BareEdge(node=e) for e in emails[:first]],
            )

    return strawberry.Schema(query=Query)


class StatementCounter(logging.Handler):
    """SQL statements Tortoise sends (logged at DEBUG), plus asyncpg's reset query
    on every connection returned to the pool (a round trip of its own)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.n = 0
        self.selects: list[tuple[str, Any]] = []  # to replay as raw SQL
        self.statements: list[str] = []  # every one counted, in order

    def emit(self, record: logging.LogRecord) -> None:
        word = record.getMessage().lstrip().split(" ", 1)[0].upper()
        if word in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            self.n += 1
            self.statements.append(str(record.args[0] if record.args else record.msg))
            if word in {"SELECT", "WITH"} and isinstance(record.args, tuple):
                query, values = (*record.args, None)[:2]
                self.selects.append((query, values))

    def __enter__(self) -> "StatementCounter":
        import asyncpg

        self._logger = logging.getLogger("tortoise.db_client")
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.propagate = False  # counted, not printed
        self._logger.addHandler(self)
        self._reset = asyncpg.Connection.reset
        counter = self

        async def counted_reset(conn: Any, *, timeout: Any = None) -> None:  # noqa: ASYNC109
            counter.n += 1
            counter.statements.append("(asyncpg reset)")
            await counter._reset(conn, timeout=timeout)

        asyncpg.Connection.reset = counted_reset  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        import asyncpg

        asyncpg.Connection.reset = self._reset  # type: ignore[method-assign]
        self._logger.removeHandler(self)
        self._logger.propagate = True
        self._logger.setLevel(self._level)


async def _post(client: httpx.AsyncClient, n: int, token: str | None = None) -> float:
    import time

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": QUERY, "variables": {"n": n}}, headers=headers
    )
    elapsed = time.perf_counter() - start
    body = response.json()
    assert len(body["data"]["emails"]["edges"]) == n, body
    return elapsed


async def _raw(statements: list[tuple[str, Any]]) -> float:
    """The page's SELECTs sent straight through the database driver: rows as the
    driver gives them, no model instances, no GraphQL."""
    import time

    from tortoise import connections

    conn = connections.get("default")
    start = time.perf_counter()
    for query, values in statements:
        await conn.execute_query(query, values)
    return time.perf_counter() - start


async def measure(env: Env, *, rounds: int = 7) -> list[Figure]:
    from app.main import create_app

    await seed(env.organization_id)
    async with (
        serving(create_app()) as product_url,
        serving(GraphQL(bare_schema()), lifespan="off") as bare_url,
        httpx.AsyncClient(base_url=product_url) as product,
        httpx.AsyncClient(base_url=bare_url) as bare,
    ):
        await _post(product, 10, env.token)  # the token's first lastUsedAt write
        statements = {}
        for n in (10, 100):
            with StatementCounter() as counter:
                await _post(product, n, env.token)
            statements[n] = counter.n
        selects = counter.selects
        arms = await interleave(
            lambda: median_of(
                REQUESTS_PER_ROUND, lambda: _post(product, 100, env.token)
            ),
            lambda: median_of(REQUESTS_PER_ROUND, lambda: _post(bare, 100)),
            rounds=rounds,
        )

        async def layer() -> float:
            page = await median_of(
                REQUESTS_PER_ROUND, lambda: _post(product, 100, env.token)
            )
            return max(
                page - await median_of(REQUESTS_PER_ROUND, lambda: _post(bare, 100)),
                0.0,
            )

        data = await interleave(
            layer,
            lambda: median_of(REQUESTS_PER_ROUND, lambda: _raw(selects)),
            rounds=rounds,
        )
    page = arms.figure(
        "list-100 over uvicorn / bare sync Strawberry", Target("<=", 1.5)
    )
    # The data layer is what the product spends beyond the bare schema (the same
    # shape over objects in memory); raw SQL is the same rows fetched by the driver.
    data_layer = data.figure(
        "data layer (product − bare) / raw SQL for the same rows", Target("<=", 3.0)
    )
    sql = summarize(
        "SQL statements per email page: 100 / 10",
        [statements[100] / statements[10]],
        Target("<=", 1.0),
        arms=f"{statements[100]} / {statements[10]} statements (target ≤ 13 each)",
    )
    worst = summarize(
        "SQL statements per email page (the larger) / 13",
        [max(statements.values()) / 13],
        Target("<=", 1.0),
        arms=f"{max(statements.values())} / 13 statements",
    )
    return [page, data_layer, sql, worst]


async def run(engine: str) -> list[Figure]:
    async with environment(engine) as env:
        return await measure(env)
