"""0013 on a database with mail in it: the new columns arrive empty where only the
raw message knows (an old import's Date and headers) and filled where the row does
(an incoming email's receivedAt, an outgoing one's date and sending inbox)."""

import uuid
from collections.abc import AsyncIterator

import pytest
from tortoise.migrations.api import migrate as run_migrations

from app import db
from tests.conftest import _VAR, RUN_ID
from tests.core.sqlite_rows import insert, remove_sqlite, sqlite

BEFORE = "0012_webhooks"


@pytest.fixture
async def database_before() -> AsyncIterator[str]:
    path = _VAR / f"mr_fields_{RUN_ID}_{uuid.uuid4().hex[:10]}.sqlite3"
    url = f"sqlite://{path}"
    try:
        await run_migrations(config=db.tortoise_config(url), target=f"models.{BEFORE}")
        await db.close_db()
        yield url
    finally:
        await db.close_db()
        remove_sqlite(path)


async def test_existing_mail_gets_what_its_row_knows(database_before):
    url = database_before
    # given, before 0013, an import, a sent reply, a queued email from an address no
    # inbox has, and a scheduled one
    with sqlite(url) as c:
        org = insert(c, "organization", name="Acme")
        queue = insert(c, "queue", organization_id=org, name="Q")
        inbox = insert(
            c, "inbox", organization_id=org, queue_id=queue, email="ap@acme.test"
        )

        def email(**values) -> int:
            return insert(c, "email", organization_id=org, queue_id=queue, **values)

        imported = email(
            type="INCOMING",
            inbox_id=inbox,
            created_at="2024-05-01T10:00:00+00:00",
            raw_size=1234,
        )
        sent = email(
            type="OUTGOING",
            from_address="ap@acme.test",
            created_at="2024-05-01T11:00:00+00:00",
            sent_at="2024-05-01T11:00:05+00:00",
            delivery_status="SENT",
        )
        stray = email(
            type="OUTGOING",
            from_address="no-reply@mailroom.test",
            created_at="2024-05-01T12:00:00+00:00",
            delivery_status="QUEUED",
        )
        scheduled = email(
            type="OUTGOING",
            from_address="ap@acme.test",
            created_at="2024-05-01T13:00:00+00:00",
            send_at="2024-05-02T08:00:00+00:00",
            delivery_status="SCHEDULED",
        )

    # when 0013 runs
    await db.migrate(url)
    await db.close_db()

    # then each row has what it knew, and nothing is made up
    with sqlite(url) as c:
        rows = {
            row["id"]: dict(row)
            for row in c.execute(
                "SELECT id, inbox_id, date, received_at, message_headers, raw_size"
                " FROM email"
            )
        }
    assert rows[imported] == {
        "id": imported,
        "inbox_id": inbox,
        "date": None,  # only its raw message has the Date header
        "received_at": "2024-05-01T10:00:00+00:00",
        "message_headers": None,
        "raw_size": 1234,
    }
    assert (rows[sent]["inbox_id"], rows[sent]["date"]) == (
        inbox,
        "2024-05-01T11:00:05+00:00",
    )
    assert (rows[stray]["inbox_id"], rows[stray]["date"]) == (
        None,
        "2024-05-01T12:00:00+00:00",
    )
    assert rows[scheduled]["date"] == "2024-05-02T08:00:00+00:00"
    assert all(rows[pk]["received_at"] is None for pk in (sent, stray, scheduled))
