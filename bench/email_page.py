"""A page of emails with their thread, documents, annotations and counts.

Targets: the SQL statement count of a 100-email page equals a 10-email page's, and a
100-email page costs less than 10x the time of a 10-email page (fixed costs dominate).
"""

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

QUERY = """query($n: Int!) { emails(first: $n) { totalCount edges { node {
  id subject labels annotationCounts { annotations annotationsProcessed }
  documents { originalFileName annotations { status } }
  emailThread { subject labels annotationCounts { annotations } }
} } } }"""


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.n = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().lstrip()[:6].upper() in {"SELECT", "INSERT", "UPDATE"}:
            self.n += 1


async def _seed(organization_id: int, count: int) -> None:
    from app.documents.models import Annotation, Document
    from app.inboxes.models import Queue
    from app.mail.models import EmailType, Label
    from app.mail.service import NewEmail, record_email

    queue = await Queue.create(organization_id=organization_id, name="bench")
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
            organization_id=organization_id, email=email, original_file_name=f"{i}.pdf"
        )
        await Annotation.create(
            organization_id=organization_id,
            queue=queue,
            document=doc,
            email=email,
            email_thread_id=email.email_thread_id,
            status="TO_REVIEW",
        )


async def run() -> list[tuple[str, float, str, bool]]:
    var = Path(tempfile.mkdtemp(prefix="mailroom-bench-"))
    os.environ.update(VAR_DIR=str(var), RATE_LIMIT_PER_MINUTE="1000000")
    os.environ.pop("DATABASE_URL", None)
    import httpx
    from arq import create_pool

    from app import db
    from app.accounts.service import create_organization
    from app.core.redis import arq_settings
    from app.main import create_app

    url = f"sqlite://{var / 'bench.sqlite3'}"
    await db.migrate(url)
    await db.close_db()
    await db.open_db(url)
    org, _, token = await create_organization(name="Bench", admin_email="b@example.com")
    await _seed(org.id, 300)
    app = create_app()
    app.state.redis = await create_pool(arq_settings())
    counter = _Count()
    logger = logging.getLogger("tortoise.db_client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    timings: dict[int, float] = {}
    statements: dict[int, int] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench"
    ) as client:
        for n in (10, 100):
            samples = []
            for _ in range(15):
                counter.n = 0
                start = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": QUERY, "variables": {"n": n}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                samples.append(time.perf_counter() - start)
                assert len(response.json()["data"]["emails"]["edges"]) == n
                statements[n] = counter.n
            timings[n] = statistics.median(samples)
    logger.removeHandler(counter)
    await app.state.redis.aclose()
    await db.close_db()
    time_ratio = timings[100] / timings[10]
    sql_ratio = statements[100] / statements[10]
    return [
        ("email page: SQL statements 100 / 10", sql_ratio, "1.00", sql_ratio == 1.0),
        ("email page: time 100 / 10", time_ratio, "< 10", time_ratio < 10),
        ("email page: ms per 10-email page", timings[10] * 1000, "-", True),
    ]
