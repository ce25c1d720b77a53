"""`emails(filter: {search})` with its totalCount, as the mailbox grows.

Figure: the same search (one word, in exactly NEEDLES emails of each organization)
with totalCount and a 20-email page, over uvicorn, for an organization of LARGE
emails against one of SMALL, both in one database and interleaved (≤ 2×): served by
an index, the cost follows the matches, not the mailbox.

The seeder writes the emails in batches of BATCH rows with the stored values
Tortoise's own INSERT would send: on SQLite one executemany of that INSERT, on
PostgreSQL one binary COPY (triggers and generated columns run as for any insert).
The search text is built by the app's own `search_text`. Bodies are 24 words, so
seeding stays near 20 s an engine and `make bench` within 5 minutes. Then it runs
ANALYZE as a bulk import does (app.core.planner: without statistics both planners
walk the organization's emails instead of using the index).
The plan of the count query is printed, so the index can be seen in use.
"""

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave, median_of
from bench.servers import serving

SMALL, LARGE = 1_000, 100_000
NEEDLES = 20  # emails of each organization holding the searched word
NEEDLE = "zyzzogeton"
BATCH = 2_000
REQUESTS_PER_ROUND = 3
QUERY = """query($q: String!) { emails(filter: {search: $q}, first: 20) {
  totalCount nodes { id subject from { email } } } }"""

_VOCABULARY = [
    "invoice", "order", "payment", "delivery", "account", "statement", "reminder",
    "contract", "shipment", "quote", "receipt", "refund", "credit", "balance",
    "meeting", "report", "update", "request", "question", "thanks", "please",
    "attached", "find", "regards", "week", "month", "today", "tomorrow", "the",
    "and", "for", "with", "your", "our", "this", "that", "from", "about", "due",
]  # fmt: skip


def _words(rng: random.Random, n: int) -> str:
    # A few thousand distinct words beside the common ones: numbers and codes.
    return " ".join(
        rng.choice(_VOCABULARY) if rng.random() < 0.8 else f"ref{rng.randrange(5000)}"
        for _ in range(n)
    )


async def seed(organization_id: int, count: int, *, seed: int) -> None:
    """`count` incoming emails, NEEDLES of them (spread evenly) with NEEDLE.

    One Email instance gives every column's stored value; each row changes only
    what differs, and goes in with the others of its batch in one executemany of
    Tortoise's own INSERT (triggers and generated columns run as for any insert)."""
    from tortoise import connections
    from tortoise.transactions import in_transaction

    from app.inboxes.models import Queue
    from app.mail.models import Email, EmailType
    from app.mail.service import NewEmail, search_text

    rng = random.Random(seed)
    queue = await Queue.create(organization_id=organization_id, name="bench")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    template = NewEmail(
        organization_id=organization_id,
        queue_id=queue.id,
        type=EmailType.INCOMING,
        to=[{"email": "ap@acme.example", "name": ""}],
    )
    instance = Email(
        **template.columns(), created_at=start, last_thread_email_created_at=start
    )
    client = connections.get("default")
    executor = client.executor_class(model=Email, db=client)
    columns = list(executor.regular_columns)
    to_db = {c: Email._meta.fields_map[c].to_db_value for c in columns}
    stored = [to_db[c](getattr(instance, c), instance) for c in columns]
    varying = [
        "subject", "subject_folded", "from_address", "from_name", "body_text_plain",
        "search_text", "created_at", "last_thread_email_created_at",
    ]  # fmt: skip
    at = [columns.index(c) for c in varying]
    # Pools (prime sizes, so rows do not repeat in step); a body's words are found
    # once: search_text of the rest, then the body's, is search_text of the whole.
    bodies = [_words(rng, 24) for _ in range(997)]
    body_words = [
        search_text(NewEmail(**_bare(template), body_text_plain=b)) for b in bodies
    ]
    subjects = [_words(rng, 4).capitalize() for _ in range(991)]
    needles = set(range(0, count, count // NEEDLES))

    def batch(first: int) -> list[list[Any]]:
        rows = []
        for i in range(first, min(first + BATCH, count)):
            needle = f" {NEEDLE}" if i in needles else ""
            new = NewEmail(
                **_bare(template),
                subject=f"{subjects[i % len(subjects)]} {i}",
                from_address=f"sender{i % 1009}@vendor{i % 50}.example",
                from_name=f"Sender {i % 1000}",
                to=template.to,
            )
            created = start + timedelta(seconds=i)
            text = f"{search_text(new)} {body_words[i % len(bodies)]}{needle}"
            values = [
                new.subject,
                new.subject.casefold(),
                new.from_address,
                new.from_name,
                bodies[i % len(bodies)] + needle,
                text,
                created,
                created,
            ]
            row = list(stored)
            for index, column, value in zip(at, varying, values, strict=True):
                row[index] = to_db[column](value, instance)
            rows.append(row)
        return rows

    names = [Email._meta.fields_db_projection[c] for c in columns]

    async def write(connection: Any, rows: list[list[Any]]) -> None:
        if client.capabilities.dialect == "postgres":
            # COPY, binary: the same rows, a fraction of executemany's round trips.
            driver = connection._connection
            await driver.copy_records_to_table("email", records=rows, columns=names)
        else:
            await connection.execute_many(executor.insert_query, rows)

    # The next batch is built while the database writes the last (the driver
    # waits off the event loop: aiosqlite's thread, asyncpg's socket).
    async with in_transaction() as connection:
        writing: asyncio.Task[None] | None = None
        for first in range(0, count, BATCH):
            rows = batch(first)
            if writing is not None:
                await writing
            writing = asyncio.create_task(write(connection, rows))
        if writing is not None:
            await writing


def _bare(template: Any) -> dict[str, Any]:
    return {
        "organization_id": template.organization_id,
        "queue_id": template.queue_id,
        "type": template.type,
    }


async def plan(env: Env, organization_id: int) -> str:
    """The engine's plan of the totalCount query, one line."""
    from tortoise import connections

    from app.mail.filters import EmailFilterSpec, filter_emails

    sql = (
        filter_emails(organization_id, EmailFilterSpec(search=NEEDLE))
        .count()
        .sql(params_inline=True)
    )
    explain = "EXPLAIN" if env.engine == "postgres" else "EXPLAIN QUERY PLAN"
    rows = await connections.get("default").execute_query_dict(f"{explain} {sql}")
    parts = [str(row.get("QUERY PLAN") or row.get("detail")) for row in rows]
    return " | ".join(part.strip() for part in parts)


async def _post(client: httpx.AsyncClient, token: str) -> float:
    start = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"q": NEEDLE}},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - start
    body = response.json()
    assert body["data"]["emails"]["totalCount"] == NEEDLES, body
    return elapsed


async def measure(env: Env, *, rounds: int = 7) -> list[Figure]:
    from app.accounts.service import create_organization
    from app.core.planner import analyze
    from app.main import create_app

    large, _, large_token = await create_organization(
        name="Large", admin_email="large@example.com"
    )
    started = time.perf_counter()
    await seed(env.organization_id, SMALL, seed=1)
    await seed(large.id, LARGE, seed=2)
    await analyze()
    seconds = time.perf_counter() - started
    print(f"{env.engine}: seeded {SMALL + LARGE:,} emails in {seconds:.1f} s")
    print(f"{env.engine}: count plan: {await plan(env, large.id)}")
    async with (
        serving(create_app()) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        for token in (env.token, large_token):  # each token's lastUsedAt write
            await _post(client, token)
        arms = await interleave(
            lambda: median_of(REQUESTS_PER_ROUND, lambda: _post(client, large_token)),
            lambda: median_of(REQUESTS_PER_ROUND, lambda: _post(client, env.token)),
            rounds=rounds,
        )
    return [
        arms.figure(
            f"search + totalCount at {LARGE // 1000}k / {SMALL // 1000}k emails",
            Target("<=", 2.0),
        )
    ]


async def run(engine: str) -> list[Figure]:
    async with environment(engine) as env:
        return await measure(env)
