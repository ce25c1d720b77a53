"""The committed migrations build the schema the models declare: every table, column,
index and unique constraint, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

A migration that silently loses an index (tortoise rebuilds a SQLite table for
RemoveField/AlterField and drops its indexes) fails here with the table and what is
missing or extra."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app import db
from tests.conftest import _VAR, PG_URL, RUN_ID, _pg_admin, _with_db
from tests.core.schema_catalog import (
    declared_schema,
    format_diff,
    live_schema,
    models_of,
    schema_diff,
)

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(params=ENGINES)
async def empty_database(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The URL of a new, empty database of the engine; dropped afterwards."""
    name = f"mr_schema_{RUN_ID}_{uuid.uuid4().hex[:10]}"
    if request.param == "postgres":
        await _pg_admin(f'CREATE DATABASE "{name}"')
        try:
            yield _with_db(PG_URL, name)
        finally:
            await db.close_db()
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = _VAR / f"{name}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            await db.close_db()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


async def test_the_migrations_build_the_schema_the_models_declare(empty_database):
    # given a fresh database migrated with the committed migrations
    await db.migrate(empty_database)
    await db.close_db()
    # when its live catalog is read
    actual = await live_schema(empty_database)
    # then every table of every model has the declared columns and indexes
    differences = schema_diff(declared_schema(models_of(db.MODEL_MODULES)), actual)
    engine = empty_database.split(":", 1)[0]
    assert not differences, format_diff(engine, differences)
