"""The committed migrations build the schema the models declare: every table, column,
index, unique constraint and trigger, on SQLite and (with TEST_DATABASE_URL)
PostgreSQL, plus the full-text search objects no model declares (0019).

A migration that silently loses an index (tortoise rebuilds a SQLite table for
RemoveField/AlterField and drops its indexes) fails here with the table and what is
missing or extra."""

from app import db
from tests.core.schema_catalog import (
    declared_schema,
    expected_schema,
    format_diff,
    live_schema,
    models_of,
    schema_diff,
)


async def test_the_migrations_build_the_schema_the_models_declare(empty_database):
    # given a fresh database migrated with the committed migrations
    await db.migrate(empty_database)
    await db.close_db()
    # when its live catalog is read
    actual = await live_schema(empty_database)
    # then every table of every model has the declared columns and indexes, and the
    # full-text search objects are there (no more, no less)
    engine = empty_database.split(":", 1)[0]
    declared = declared_schema(models_of(db.MODEL_MODULES))
    differences = schema_diff(expected_schema(declared, engine), actual)
    assert not differences, format_diff(engine, differences)
