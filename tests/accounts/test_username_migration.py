"""0011 gives the users that exist before it a username: their email's local part,
numbered when taken in the same organization (either engine)."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from app import db
from app.accounts.models import User
from tests.conftest import _VAR, PG_URL, RUN_ID, _pg_admin, _with_db

BEFORE = "models.0009_task_interruptions"


@pytest.fixture
async def empty_database() -> AsyncIterator[str]:
    name = f"mr_un_{RUN_ID}_{uuid.uuid4().hex[:10]}"
    if PG_URL:
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _with_db(PG_URL, name)
    else:
        url = f"sqlite://{_VAR / name}.sqlite3"
    yield url
    await db.close_db()
    if PG_URL:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)  # noqa: ASYNC240


async def test_existing_users_get_unique_usernames(empty_database):
    # given a database before 0011 with users in two organizations, two of them
    # with the same local part in one organization
    await run_migrations(config=db.tortoise_config(empty_database), target=BEFORE)
    await db.close_db()
    await db.open_db(empty_database)
    connection = Tortoise.get_connection("default")
    created = "'2026-01-01 00:00:00+00:00'"
    for org in (1, 2):
        await connection.execute_script(
            f'INSERT INTO "organization" ("id", "name", "created_at")'
            f" VALUES ({org}, 'Org {org}', {created})"
        )
    users = [
        (1, "jane.doe@a.test"),
        (1, "jane.doe@b.test"),
        (1, "o'brien+tag@a.test"),
        (2, "jane.doe@c.test"),
    ]
    for pk, (org, email) in enumerate(users, 1):
        quoted = email.replace("'", "''")
        await connection.execute_script(
            'INSERT INTO "user" ("id", "organization_id", "email", "full_name",'
            ' "role", "is_active", "created_at")'
            f" VALUES ({pk}, {org}, '{quoted}', '', 'VIEWER', TRUE, {created})"
        )
    await db.close_db()
    # when the remaining migrations run
    await db.migrate(empty_database)
    await db.close_db()
    await db.open_db(empty_database)
    # then each has its local part as username, numbered within its organization
    rows = await User.all().order_by("id").values_list("email", "username")
    assert rows == [
        ("jane.doe@a.test", "jane.doe"),
        ("jane.doe@b.test", "jane.doe-2"),
        ("o'brien+tag@a.test", "o-brien-tag"),
        ("jane.doe@c.test", "jane.doe"),
    ]
