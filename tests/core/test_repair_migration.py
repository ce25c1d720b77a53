"""0007 repairs SQLite databases whose `email` table lost its indexes in 0005: it
merges the duplicate emails the missing unique index let in, then recreates the
indexes under tortoise's names."""

import importlib
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.schema_editor import SqliteSchemaEditor

from app import db
from tests.conftest import _VAR, RUN_ID
from tests.core.schema_catalog import (
    declared_schema,
    expected_schema,
    format_diff,
    live_schema,
    models_of,
    schema_diff,
)
from tests.core.sqlite_rows import insert, remove_sqlite, sqlite

BEFORE_REPAIR = "0006_task_idempotency"
repair = importlib.import_module("app.migrations.0007_repair_sqlite_email_indexes")

LOST_INDEXES = [
    "email: missing unique index (inbox_id, dedupe_key)",
    "email: missing index (organization_id, created_at, id)",
    "email: missing index (organization_id, subject, id)",
    "email: missing index (organization_id, last_thread_email_created_at, id)",
    "email: missing index (email_thread_id, created_at, id)",
    "email: missing index (queue_id, message_id)",
    "email: missing index (organization_id, from_address)",
    "email: missing index (organization_id, status)",
    "email: missing index (organization_id, delivery_status)",
]


@pytest.fixture(scope="module")
async def template_before_repair() -> AsyncIterator[Path]:
    """A SQLite database migrated up to 0006 as 0005 used to leave it: the `email`
    table rebuilt, without any of its indexes (0005 now drops the column in place).
    Migrated once per module; each test gets a copy."""
    path = _VAR / f"mr_repair_tpl_{RUN_ID}_{uuid.uuid4().hex[:10]}.sqlite3"
    url = f"sqlite://{path}"
    try:
        await run_migrations(
            config=db.tortoise_config(url), target=f"models.{BEFORE_REPAIR}"
        )
        await db.close_db()
        with sqlite(url) as connection:
            indexes = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'email' AND sql IS NOT NULL"
            ).fetchall()
            for (name,) in indexes:
                connection.execute(f'DROP INDEX "{name}"')
        yield path
    finally:
        await db.close_db()
        remove_sqlite(path)


@pytest.fixture
async def database_before_repair(template_before_repair: Path) -> AsyncIterator[str]:
    """This test's own copy of the database before the repair."""
    path = _VAR / f"mr_repair_{RUN_ID}_{uuid.uuid4().hex[:10]}.sqlite3"
    shutil.copyfile(template_before_repair, path)
    try:
        yield f"sqlite://{path}"
    finally:
        await db.close_db()
        remove_sqlite(path)


def tortoise_index_name(columns: tuple[str, ...], unique: bool) -> str:
    editor = SqliteSchemaEditor(SimpleNamespace(capabilities=SqliteClient.capabilities))
    prefix = "uid" if unique else "idx"
    return editor._generate_index_name_for_table(prefix, "email", list(columns))


async def test_before_the_repair_the_email_table_has_no_indexes(
    database_before_repair,
):
    actual = await live_schema(database_before_repair)
    differences = schema_diff(declared_schema(models_of(db.MODEL_MODULES)), actual)
    assert set(LOST_INDEXES) <= set(differences), format_diff("sqlite", differences)


async def test_the_repair_covers_every_column_that_refers_to_an_email(
    database_before_repair,
):
    with sqlite(database_before_repair) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        ]
        referring = {
            (table, fk["from"])
            for table in tables
            for fk in connection.execute(f'PRAGMA foreign_key_list("{table}")')
            if fk["table"] == "email"
        }
    assert {(t, c) for t, c, _ in repair.EMAIL_REFERENCES} == referring


async def test_the_repair_merges_duplicate_emails_and_restores_the_indexes(
    database_before_repair,
):
    url = database_before_repair
    # given two copies of one message (same inbox and dedupe key), each in a thread
    # of its own, and a third copy in the first one's thread
    with sqlite(url) as c:
        org = insert(c, "organization", name="Acme")
        queue = insert(c, "queue", organization_id=org, name="Q")
        inbox = insert(
            c, "inbox", organization_id=org, queue_id=queue, email="in@acme.test"
        )
        common = dict(organization_id=org, queue_id=queue, type="INCOMING")

        def email(thread: int | None, **values: Any) -> int:
            return insert(c, "email", **common, email_thread_id=thread, **values)

        def thread() -> int:
            return insert(c, "email_thread", organization_id=org, queue_id=queue)

        first_thread, dup_thread = thread(), thread()
        key = dict(inbox_id=inbox, dedupe_key="<dup@vendor.test>")
        kept = email(first_thread, **key, created_at="2024-05-01T10:00:00+00:00")
        dup = email(dup_thread, **key, created_at="2024-05-01T10:00:01+00:00")
        third = email(first_thread, **key, created_at="2024-05-01T10:00:02+00:00")
        c.execute(
            "UPDATE email_thread SET root_email_id = ? WHERE id = ?",
            (kept, first_thread),
        )
        c.execute(
            "UPDATE email_thread SET root_email_id = ? WHERE id = ?", (dup, dup_thread)
        )
        # and, on the duplicate, a document, an annotation, a child, a task, labels
        document = insert(c, "document", organization_id=org, email_id=dup)
        annotation = insert(
            c,
            "annotation",
            organization_id=org,
            queue_id=queue,
            email_id=dup,
            email_thread_id=dup_thread,
            document_id=document,
            status="TO_REVIEW",
        )
        child = email(
            dup_thread,
            parent_id=dup,
            thread_match_email_id=dup,
            inbox_id=inbox,
            dedupe_key="<reply@vendor.test>",
            created_at="2024-05-01T11:00:00+00:00",
        )
        task = insert(
            c,
            "task",
            id=str(uuid.uuid4()),
            organization_id=org,
            kind="IMPORT_EMAIL",
            status="SUCCEEDED",
            email_id=dup,
        )
        insert(c, "email_label", email_id=kept, label="REPLY")
        insert(c, "email_label", email_id=dup, label="REPLY")  # the kept one has it
        insert(c, "email_label", email_id=third, label="FORWARDED")
        insert(c, "email_related_document", email_id=dup, document_id=document)
        insert(c, "email_related_document", email_id=third, document_id=document)
        # and a message whose inbox is gone: NULLs are never duplicates of each other
        for _ in range(2):
            email(None, inbox_id=None, dedupe_key="<orphan@vendor.test>")

    # when the remaining migration runs
    await db.migrate(url)
    await db.close_db()

    with sqlite(url) as c:

        def column(sql: str, *args: Any) -> list[Any]:
            return [row[0] for row in c.execute(sql, args)]

        # then the oldest copy is left, with what referred to the others
        assert column(
            "SELECT id FROM email WHERE dedupe_key = ?", key["dedupe_key"]
        ) == [kept]
        assert column("SELECT email_id FROM document WHERE id = ?", document) == [kept]
        row = c.execute(
            "SELECT * FROM annotation WHERE id = ?", (annotation,)
        ).fetchone()
        assert (row["email_id"], row["email_thread_id"]) == (kept, first_thread)
        reply = c.execute("SELECT * FROM email WHERE id = ?", (child,)).fetchone()
        assert (reply["parent_id"], reply["thread_match_email_id"]) == (kept, kept)
        assert column("SELECT email_id FROM task WHERE id = ?", task) == [kept]
        labels = "SELECT label FROM email_label WHERE email_id = ? ORDER BY label"
        assert column(labels, kept) == ["FORWARDED", "REPLY"]
        related = "SELECT document_id FROM email_related_document WHERE email_id = ?"
        assert column(related, kept) == [document]
        # and the thread the duplicate started is merged into the kept one's
        assert column("SELECT id FROM email_thread") == [first_thread]
        assert reply["email_thread_id"] == first_thread
        row = c.execute(
            "SELECT * FROM email_thread WHERE id = ?", (first_thread,)
        ).fetchone()
        assert row["root_email_id"] == kept
        assert row["has_replies"] == 1
        assert row["last_email_created_at"] == "2024-05-01T11:00:00+00:00"
        in_thread = (
            "SELECT last_thread_email_created_at FROM email WHERE email_thread_id = ?"
        )
        assert set(column(in_thread, first_thread)) == {"2024-05-01T11:00:00+00:00"}
        # and emails without an inbox are left alone
        assert len(column("SELECT id FROM email WHERE inbox_id IS NULL")) == 2

        # and the indexes are back, under the names tortoise gives them (later
        # migrations add indexes of their own)
        names = {
            row["name"]: row["unique"]
            for row in c.execute('PRAGMA index_list("email")')
        }
        restored = {
            tortoise_index_name(cols, unique): unique
            for _, cols, unique in repair.EMAIL_INDEXES
        }
        assert restored.items() <= names.items()
        # and the unique one holds
        with pytest.raises(sqlite3.IntegrityError):
            email(first_thread, **key, created_at="2024-05-02T10:00:00+00:00")

    # and the schema is the one the models declare (and later migrations add)
    declared = declared_schema(models_of(db.MODEL_MODULES))
    differences = schema_diff(
        expected_schema(declared, "sqlite"), await live_schema(url)
    )
    assert not differences, format_diff("sqlite", differences)


async def test_the_repair_does_nothing_to_a_sound_database(database_before_repair):
    # given a database at 0006 whose indexes someone already recreated by hand
    url = database_before_repair
    with sqlite(url) as c:
        for name, cols, unique in repair.EMAIL_INDEXES:
            kind = "UNIQUE INDEX" if unique else "INDEX"
            c.execute(f'CREATE {kind} "hand_{name}" ON email ({", ".join(cols)})')
    # when the repair runs (and no later migration, which adds indexes of its own)
    await run_migrations(
        config=db.tortoise_config(url),
        target="models.0007_repair_sqlite_email_indexes",
    )
    await db.close_db()
    # then it adds no second copy of any index
    with sqlite(url) as c:
        names = {row["name"] for row in c.execute('PRAGMA index_list("email")')}
    assert names == {f"hand_{name}" for name, _, _ in repair.EMAIL_INDEXES}


async def test_0005_drops_the_column_in_place_and_keeps_what_refers_to_emails():
    # given a database at 0004 with an email that has a label, a reference, a
    # document and a task (0005 used to rebuild the table, which cascaded)
    path = _VAR / f"mr_0005_{RUN_ID}_{uuid.uuid4().hex[:10]}.sqlite3"
    url = f"sqlite://{path}"
    try:
        await run_migrations(
            config=db.tortoise_config(url), target="models.0004_refused_recipients"
        )
        await db.close_db()
        with sqlite(url) as c:
            org = insert(c, "organization", name="Acme")
            queue = insert(c, "queue", organization_id=org, name="Q")
            email = insert(c, "email", organization_id=org, queue_id=queue)
            insert(c, "email_label", email_id=email, label="REPLY")
            document = insert(c, "document", organization_id=org, email_id=email)
            task = insert(
                c, "task", id=str(uuid.uuid4()), organization_id=org, email_id=email
            )

        # when the remaining migrations run
        await db.migrate(url)
        await db.close_db()

        # then nothing that referred to the email was deleted or unlinked
        with sqlite(url) as c:
            labels = c.execute(
                "SELECT label FROM email_label WHERE email_id = ?", [email]
            )
            assert [row[0] for row in labels] == ["REPLY"]
            row = c.execute("SELECT email_id FROM document WHERE id = ?", [document])
            assert row.fetchone()[0] == email
            row = c.execute("SELECT email_id FROM task WHERE id = ?", [task])
            assert row.fetchone()[0] == email
            columns = [r[1] for r in c.execute('PRAGMA table_info("email")')]
            assert "linked_objects" not in columns
    finally:
        await db.close_db()
        remove_sqlite(path)
