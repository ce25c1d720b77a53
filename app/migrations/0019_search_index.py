"""Full-text search served by an index (app/mail/search.py says what a search matches).

1. `email.search_text` becomes the words of what it held (runs of letters and
   digits, case-folded, each cut to 100 characters), joined by single spaces, at
   most 100,000 characters: what app.mail.search.document writes from now on.
2. PostgreSQL: the stored generated column `search_vector`
   (`to_tsvector('simple', search_text)`), which computes itself for every row as
   it is added, and a GIN index on it.
   SQLite: the FTS5 table `email_fts` over `email.search_text` (external content:
   the text is stored once, in `email`), filled from the existing rows, and the
   triggers that keep it in step with every insert, update and delete of `email`.
3. ANALYZE email: the planner needs statistics to choose the index.

Not tortoise objects: the models do not declare them, so tests/core/schema_catalog.py
lists them as expected extras. On SQLite a tortoise rebuild of `email` (see the
README's "Migrations") drops the triggers: the schema test fails when they are gone.

The word rule is copied from app/mail/search.py on purpose: a migration must keep
doing what it did when it was written, whatever the app code becomes."""

import re

from tortoise import migrations
from tortoise.migrations import operations as ops

_WORD = re.compile(r"[^\W_]+")
WORD_CHARS = 100
DOCUMENT_CHARS = 100_000
BATCH = 1000


def _document(text: str) -> str:
    words = (word[:WORD_CHARS] for word in _WORD.findall(text.casefold()))
    return " ".join(words)[:DOCUMENT_CHARS]


POSTGRES = [
    'ALTER TABLE "email" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS'
    " (to_tsvector('simple'::regconfig, \"search_text\")) STORED",
    'CREATE INDEX "email_search_vector" ON "email" USING GIN ("search_vector")',
    # The new column has no statistics, and without them the planner walks a whole
    # organization's emails for a search instead of using the index.
    'ANALYZE "email"',
]
POSTGRES_REVERSE = [
    'DROP INDEX IF EXISTS "email_search_vector"',
    'ALTER TABLE "email" DROP COLUMN IF EXISTS "search_vector"',
]

SQLITE = [
    # remove_diacritics 0: "cafe" does not find "café", as on PostgreSQL ('simple').
    'CREATE VIRTUAL TABLE "email_fts" USING fts5("search_text", content="email",'
    " content_rowid=\"id\", tokenize='unicode61 remove_diacritics 0')",
    'CREATE TRIGGER "email_fts_insert" AFTER INSERT ON "email" BEGIN'
    ' INSERT INTO "email_fts" ("rowid", "search_text")'
    ' VALUES (new."id", new."search_text"); END',
    'CREATE TRIGGER "email_fts_delete" AFTER DELETE ON "email" BEGIN'
    ' INSERT INTO "email_fts" ("email_fts", "rowid", "search_text")'
    " VALUES ('delete', old.\"id\", old.\"search_text\"); END",
    # Only when the text changes: saving an email's triage fields rewrites every
    # column, search_text included, and must not re-index it.
    'CREATE TRIGGER "email_fts_update" AFTER UPDATE OF "search_text" ON "email"'
    ' WHEN old."search_text" IS NOT new."search_text" BEGIN'
    ' INSERT INTO "email_fts" ("email_fts", "rowid", "search_text")'
    " VALUES ('delete', old.\"id\", old.\"search_text\");"
    ' INSERT INTO "email_fts" ("rowid", "search_text")'
    ' VALUES (new."id", new."search_text"); END',
    """INSERT INTO "email_fts" ("email_fts") VALUES ('rebuild')""",
    # Without statistics SQLite walks an organization's emails for a search.
    'ANALYZE "email"',
]
SQLITE_REVERSE = [
    'DROP TRIGGER IF EXISTS "email_fts_insert"',
    'DROP TRIGGER IF EXISTS "email_fts_delete"',
    'DROP TRIGGER IF EXISTS "email_fts_update"',
    'DROP TABLE IF EXISTS "email_fts"',
]


async def _rewrite_search_text(client, postgres: bool) -> None:
    select = (
        'SELECT "id", "search_text" FROM "email" WHERE "id" > {} ORDER BY "id" LIMIT {}'
    ).format("$1" if postgres else "?", BATCH)
    update = (
        'UPDATE "email" SET "search_text" = $1 WHERE "id" = $2'
        if postgres
        else 'UPDATE "email" SET "search_text" = ? WHERE "id" = ?'
    )
    last = 0
    while rows := await client.execute_query_dict(select, [last]):
        changed = [
            [text, row["id"]]
            for row in rows
            if (text := _document(row["search_text"] or "")) != row["search_text"]
        ]
        if changed:
            await client.execute_many(update, changed)
        last = rows[-1]["id"]


async def build_search_index(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    if dialect not in ("postgres", "sqlite"):
        return
    await _rewrite_search_text(client, dialect == "postgres")
    for statement in POSTGRES if dialect == "postgres" else SQLITE:
        await client.execute_query(statement)


async def drop_search_index(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    if dialect not in ("postgres", "sqlite"):
        return
    for statement in POSTGRES_REVERSE if dialect == "postgres" else SQLITE_REVERSE:
        await client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0018_bounces')]

    initial = False

    operations = [
        ops.RunPython(build_search_index, drop_search_index),
    ]
