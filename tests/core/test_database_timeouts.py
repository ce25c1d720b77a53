"""PostgreSQL connects and statements are bounded (DATABASE_TIMEOUT_SECONDS), so a
hung server becomes an outage error, not a request that waits for ever."""

import os
import time

import pytest
from tortoise.backends.asyncpg import AsyncpgDBClient

from app import db
from app.core.errors import is_outage

PG = "postgres://mr@db.test:5432/mailroom"


def _credentials(config: dict) -> dict:
    return config["connections"]["default"]["credentials"]


def test_postgres_connects_and_statements_get_the_timeout(settings):
    settings(database_timeout_seconds="7.5")
    credentials = _credentials(db.tortoise_config(PG))
    assert (credentials["timeout"], credentials["command_timeout"]) == (7.5, 7.5)


def test_a_timeout_in_the_url_wins(settings):
    credentials = _credentials(db.tortoise_config(PG + "?command_timeout=120"))
    assert (credentials["timeout"], credentials["command_timeout"]) == (30.0, 120.0)


def test_migrations_run_unbounded():
    assert db.tortoise_config(PG, bounded=False)["connections"]["default"] == PG


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL: TEST_DATABASE_URL"
)
async def test_a_statement_past_the_timeout_is_an_outage(database, settings):
    settings(database_timeout_seconds="0.5")
    credentials = _credentials(db.tortoise_config(database))
    client = AsyncpgDBClient(connection_name="probe", **credentials)
    await client.create_connection(with_db=True)
    started = time.monotonic()
    try:
        with pytest.raises(Exception) as raised:
            await client.execute_query("SELECT pg_sleep(5)")
    finally:
        await client.close()
    assert time.monotonic() - started < 3
    assert is_outage(raised.value), repr(raised.value)
