"""Repair the `email` table of SQLite databases migrated through 0005.

On SQLite, tortoise applies 0005's RemoveField(Email.linked_objects) by rebuilding
the table (CREATE new__email, copy, DROP, RENAME), which drops every index of it:
the unique (inbox_id, dedupe_key) too, so concurrent imports of one message could
store it twice. This migration merges such duplicates into the oldest email (lowest
id), moving whatever refers to a duplicate onto it, then recreates the missing
indexes under the names tortoise gave them in 0001/0002 (so later RemoveIndex and
RemoveConstraint operations find them). No other table was rebuilt by 0002-0006.

PostgreSQL altered the table in place and has everything: there it does nothing. So
does a SQLite database that ran 0005 after it learned to drop the column in place.

(The same rebuild also ran, with foreign keys on, `DROP TABLE email`, whose implicit
DELETE fired every ON DELETE action pointing at email: labels, participants,
references and relation rows were deleted, and documents, annotations, tasks,
threads' roots and the new table's parent_id / thread_match_email_id set to NULL.
What was lost then cannot be restored here.)
Self-contained on purpose: it hard-codes the schema as of 0006.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

UNIQUE_DEDUPE = ("uid_email_inbox_i_269644", ("inbox_id", "dedupe_key"), True)

# (name, columns, unique): what 0001/0002 created on `email` and 0005 lost on SQLite.
EMAIL_INDEXES = [
    UNIQUE_DEDUPE,
    ("idx_email_organiz_5e37d0", ("organization_id", "created_at", "id"), False),
    ("idx_email_organiz_997d50", ("organization_id", "subject", "id"), False),
    ("idx_email_organiz_6dcd14", ("organization_id", "last_thread_email_created_at", "id"), False),
    ("idx_email_email_t_47455c", ("email_thread_id", "created_at", "id"), False),
    ("idx_email_queue_i_c587b1", ("queue_id", "message_id"), False),
    ("idx_email_organiz_6bbce5", ("organization_id", "from_address"), False),
    ("idx_email_organiz_604cff", ("organization_id", "status"), False),
    ("idx_email_organiz_e912b4", ("organization_id", "delivery_status"), False),
]

# Every column that refers to email.id as of 0006 (table, column, key): rows of a
# duplicate move to the kept email, except those the kept email already has an equal
# row of (same values in the key columns): they go with the duplicate. key=None: all
# rows move (documents, annotations, tasks, children are separate things).
EMAIL_REFERENCES = [
    ("email", "parent_id", None),
    ("email", "thread_match_email_id", None),
    ("email_thread", "root_email_id", None),
    ("document", "email_id", None),
    ("annotation", "email_id", None),
    ("task", "email_id", None),
    ("email_label", "email_id", ("label",)),  # unique (email_id, label)
    ("email_participant", "email_id", ("role", "address")),
    ("email_reference", "email_id", ("queue_id", "message_id", "in_reply_to")),
    ("email_linked_object", "email_id", ("type", "object_id")),  # unique
    ("email_related_annotation", "email_id", ("annotation_id",)),  # unique
    ("email_related_document", "email_id", ("document_id",)),  # unique
]


class _Db:
    """Queries with `?` placeholders on the migration's connection, either engine."""

    def __init__(self, client) -> None:
        self.client = client
        self.dialect = client.capabilities.dialect

    def _sql(self, sql: str) -> str:
        if self.dialect != "postgres":
            return sql
        parts = sql.split("?")
        return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))

    async def rows(self, sql: str, *values) -> list[dict]:
        return list(await self.client.execute_query_dict(self._sql(sql), list(values)))

    async def run(self, sql: str, *values) -> None:
        await self.client.execute_query(self._sql(sql), list(values))


async def _email_indexes(db: _Db) -> set[tuple[tuple[str, ...], bool]]:
    """The (columns, unique) of every index on `email` now."""
    found = set()
    if db.dialect == "sqlite":
        for index in await db.rows('PRAGMA index_list("email")'):
            info = await db.rows(f'PRAGMA index_info("{index["name"]}")')
            columns = tuple(c["name"] for c in sorted(info, key=lambda c: c["seqno"]))
            found.add((columns, bool(index["unique"]) and not index["partial"]))
    else:
        for index in await db.rows(
            "SELECT x.indisunique AND x.indpred IS NULL AS is_unique,"
            " ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY"
            " AS k(attnum, n) JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid"
            " AND a.attnum = k.attnum ORDER BY k.n) AS columns"
            " FROM pg_catalog.pg_index x WHERE x.indrelid = 'email'::regclass"
        ):
            found.add((tuple(index["columns"]), bool(index["is_unique"])))
    return found


async def _merge(db: _Db, keep: dict, dup: dict, threads: set[int]) -> None:
    """Move what refers to `dup` onto `keep`; delete `dup`."""
    keep_id, dup_id = keep["id"], dup["id"]
    keep_thread, dup_thread = keep["email_thread_id"], dup["email_thread_id"]
    threads.update(t for t in (keep_thread, dup_thread) if t is not None)
    rooted = await db.rows("SELECT id FROM email_thread WHERE root_email_id = ?", dup_id)
    threads.update(t["id"] for t in rooted)
    if dup_thread is not None and keep_thread is None:
        await db.run("UPDATE email SET email_thread_id = ? WHERE id = ?", dup_thread, keep_id)
        keep["email_thread_id"] = keep_thread = dup_thread
    elif dup_thread is not None and dup_thread != keep_thread:
        root = await db.rows("SELECT root_email_id FROM email_thread WHERE id = ?", dup_thread)
        if root and root[0]["root_email_id"] == dup_id:
            # The duplicate started its own thread: had it not existed, its replies
            # would have joined the kept email's thread. Merge the two threads.
            await db.run(
                "UPDATE email SET email_thread_id = ? WHERE email_thread_id = ?",
                keep_thread, dup_thread,
            )
            await db.run(
                "UPDATE annotation SET email_thread_id = ? WHERE email_thread_id = ?",
                keep_thread, dup_thread,
            )
            await db.run("DELETE FROM email_thread WHERE id = ?", dup_thread)
            threads.discard(dup_thread)

    for table, column, key in EMAIL_REFERENCES:
        if key:
            same = " AND ".join(f'k."{c}" = "{table}"."{c}"' for c in key)
            await db.run(
                f'DELETE FROM "{table}" WHERE "{column}" = ? AND EXISTS'
                f' (SELECT 1 FROM "{table}" k WHERE k."{column}" = ? AND {same})',
                dup_id, keep_id,
            )
        await db.run(f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', keep_id, dup_id)
    # The kept email may have pointed at its duplicate: not at itself now.
    await db.run("UPDATE email SET parent_id = NULL WHERE id = ? AND parent_id = id", keep_id)
    await db.run(
        "UPDATE email SET thread_match_email_id = NULL"
        " WHERE id = ? AND thread_match_email_id = id",
        keep_id,
    )
    if keep_thread is not None:  # annotations follow their email's thread
        await db.run(
            "UPDATE annotation SET email_thread_id = ? WHERE email_id = ?", keep_thread, keep_id
        )
    await db.run("DELETE FROM email WHERE id = ?", dup_id)


async def _recompute_thread(db: _Db, thread_id: int) -> None:
    """Root, last date and replies of a thread from its emails, as the app derives
    them; a thread left without emails is deleted."""
    emails = await db.rows(
        "SELECT id, parent_id, created_at FROM email WHERE email_thread_id = ?"
        " ORDER BY created_at, id",
        thread_id,
    )
    if not emails:
        await db.run("DELETE FROM email_thread WHERE id = ?", thread_id)
        return
    members = {e["id"] for e in emails}
    roots = [e for e in emails if e["parent_id"] not in members]
    last = emails[-1]["created_at"]
    await db.run(
        "UPDATE email_thread SET root_email_id = ?, last_email_created_at = ?,"
        " has_replies = ? WHERE id = ?",
        (roots or emails)[0]["id"], last, len(emails) > 1, thread_id,
    )
    await db.run(
        "UPDATE email SET last_thread_email_created_at = ? WHERE email_thread_id = ?",
        last, thread_id,
    )


async def _merge_duplicates(db: _Db) -> None:
    groups = await db.rows(
        "SELECT inbox_id, dedupe_key FROM email"
        " WHERE inbox_id IS NOT NULL AND dedupe_key IS NOT NULL"
        " GROUP BY inbox_id, dedupe_key HAVING COUNT(*) > 1"
    )
    threads: set[int] = set()
    for group in groups:
        emails = await db.rows(
            "SELECT id, email_thread_id FROM email WHERE inbox_id = ? AND dedupe_key = ?"
            " ORDER BY id",
            group["inbox_id"], group["dedupe_key"],
        )
        keep, *duplicates = emails
        for dup in duplicates:
            await _merge(db, keep, dup, threads)
    for thread_id in sorted(threads):
        if await db.rows("SELECT id FROM email_thread WHERE id = ?", thread_id):
            await _recompute_thread(db, thread_id)


async def repair_email_indexes(apps, schema_editor) -> None:
    db = _Db(schema_editor.client)
    if db.dialect not in ("sqlite", "postgres"):
        return
    present = await _email_indexes(db)
    missing = [i for i in EMAIL_INDEXES if (i[1], i[2]) not in present]
    if not missing:
        return
    if UNIQUE_DEDUPE in missing:
        await _merge_duplicates(db)
    for name, columns, unique in missing:
        quoted = ", ".join(f'"{c}"' for c in columns)
        if unique and db.dialect == "postgres":
            # 0002 made it a constraint there; RemoveConstraint drops a constraint.
            await db.run(f'ALTER TABLE "email" ADD CONSTRAINT "{name}" UNIQUE ({quoted})')
        else:
            kind = "UNIQUE INDEX" if unique else "INDEX"
            await db.run(f'CREATE {kind} IF NOT EXISTS "{name}" ON "email" ({quoted})')


class Migration(migrations.Migration):
    dependencies = [('models', '0006_task_idempotency')]

    initial = False

    operations = [
        ops.RunPython(repair_email_indexes, ops.RunPython.noop),
    ]
