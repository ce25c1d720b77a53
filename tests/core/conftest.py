import uuid
from collections.abc import AsyncIterator

import pytest

from app import db
from tests.conftest import _VAR, PG_URL, RUN_ID, _pg_admin, _with_db
from tests.core.sqlite_rows import remove_sqlite

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
            remove_sqlite(path)
