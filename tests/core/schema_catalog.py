"""The tables, columns and indexes the models declare, the ones a live database has,
and the difference between the two.

Indexes are compared as (columns in order, unique), never by name: names differ
between engines (SQLite names the index of an inline UNIQUE constraint
`sqlite_autoindex_<table>_<n>`, PostgreSQL names a primary key `<table>_pkey`). A
unique constraint counts as a unique index: that is how both engines enforce it.
A primary key counts as a unique index on its columns. A partial index counts as
not unique (it does not make its columns unique). Triggers are compared by name.

What migrations make that no model declares (full-text search, 0019) is expected on
top of the declared schema (`expected_schema`), and checked the same way: missing
fails as extra does.

`declared_schema` reads only `Model._meta`, so the models' relations must be set up
(`Tortoise.init`, which `app.db.migrate` runs, does it).
"""

import importlib
import inspect
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.models import Model

IndexKey = tuple[tuple[str, ...], bool]  # (columns in order, unique)


@dataclass(frozen=True)
class TableSchema:
    columns: frozenset[str]
    indexes: frozenset[IndexKey]
    triggers: frozenset[str] = frozenset()


Schema = dict[str, TableSchema]


# ---------------------------------------------------------------------------
# What the models declare


def models_of(module_names: Iterable[str]) -> list[type[Model]]:
    """The concrete models defined in these modules (as Tortoise discovers them)."""
    found: list[type[Model]] = []
    for name in module_names:
        module = importlib.import_module(name)
        declared = getattr(module, "__models__", None)
        candidates = declared if declared is not None else vars(module).values()
        for obj in candidates:
            if (
                inspect.isclass(obj)
                and issubclass(obj, Model)
                and obj is not Model
                and obj.__module__ == module.__name__
                and not obj._meta.abstract
            ):
                found.append(obj)
    return found


def _column(model: type[Model], name: str) -> str:
    """The column of a field name (`inbox` and `inbox_id` are both `inbox_id`)."""
    field = model._meta.fields_map.get(name)
    if field is None:
        return name  # already a column name
    return model._meta.fields_db_projection.get(name) or field.source_field or name


def declared_schema(models: Iterable[type[Model]]) -> Schema:
    models = list(models)
    schema: Schema = {}
    for model in models:
        meta = model._meta
        if not meta._inited:
            raise RuntimeError(
                f"{model.__name__}'s relations are not set up: run Tortoise.init "
                "(app.db.migrate does) before reading what the models declare."
            )
        indexes: set[IndexKey] = {((meta.db_pk_column,), True)}
        for field_name, column in meta.fields_db_projection.items():
            field = meta.fields_map[field_name]
            if field.pk:
                continue
            if field.unique:
                indexes.add(((column,), True))
            if field.index:
                indexes.add(((column,), False))
        for names in meta.unique_together or ():
            indexes.add((tuple(_column(model, n) for n in names), True))
        for index in meta.indexes or ():
            names = index.field_names if isinstance(index, Index) else index
            indexes.add((tuple(_column(model, n) for n in names), False))
        for constraint in getattr(meta, "constraints", None) or ():
            if isinstance(constraint, UniqueConstraint):
                unique = not getattr(constraint, "condition", None)
                columns = tuple(_column(model, n) for n in constraint.fields)
                indexes.add((columns, unique))
        schema[meta.db_table] = TableSchema(
            frozenset(meta.fields_db_projection.values()), frozenset(indexes)
        )
    # Through tables of many-to-many fields, unless a model declares the table.
    for model in models:
        for m2m_name in model._meta.m2m_fields:
            field = model._meta.fields_map[m2m_name]
            if field._generated or field.through in schema:
                continue  # the other side of the relation, or a through model
            keys = (field.backward_key, field.forward_key)
            schema[field.through] = TableSchema(
                frozenset(keys), frozenset({(keys, True)} if field.unique else ())
            )
    return schema


# What 0019 adds outside the models (app/mail/search.py), per engine: (table,
# columns, indexes, triggers), merged into the declared table (a new one: `email_fts`).
FULL_TEXT: dict[str, list[tuple[str, set[str], set[IndexKey], set[str]]]] = {
    "postgres": [("email", {"search_vector"}, {(("search_vector",), False)}, set())],
    "sqlite": [
        (
            "email",
            set(),
            set(),
            {"email_fts_insert", "email_fts_update", "email_fts_delete"},
        ),
        # The FTS5 table: its shadow tables (email_fts_data, …) are not compared.
        ("email_fts", {"search_text"}, set(), set()),
    ],
}


def expected_schema(declared: Schema, engine: str) -> Schema:
    """The declared schema plus what migrations add outside the models on `engine`."""
    expected = dict(declared)
    for table, columns, indexes, triggers in FULL_TEXT[engine]:
        base = expected.get(table, TableSchema(frozenset(), frozenset()))
        expected[table] = TableSchema(
            base.columns | columns, base.indexes | indexes, base.triggers | triggers
        )
    return expected


# ---------------------------------------------------------------------------
# What a live database has


def sqlite_schema(path: str) -> Schema:
    """Read the catalog of a SQLite file (sqlite_master and PRAGMAs)."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
        triggers: dict[str, set[str]] = {}
        for name, table in connection.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
        ):
            triggers.setdefault(table, set()).add(name)
        schema: Schema = {}
        for table in tables:
            # table_info: cid, name, type, notnull, dflt_value, pk (1-based position)
            info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
            columns = frozenset(row[1] for row in info)
            indexes: set[IndexKey] = set()
            pk = tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])
            if pk:  # an INTEGER PRIMARY KEY is the rowid: it has no index entry
                indexes.add((pk, True))
            # index_list: seq, name, unique, origin (c, u, pk), partial
            for row in connection.execute(f'PRAGMA index_list("{table}")'):
                name, unique, partial = row[1], row[2], row[4]
                # index_info: seqno, cid, name (None for an expression)
                parts = connection.execute(f'PRAGMA index_info("{name}")').fetchall()
                index_columns = tuple(
                    part[2] or "<expression>" for part in sorted(parts)
                )
                indexes.add((index_columns, bool(unique) and not partial))
            schema[table] = TableSchema(
                columns, frozenset(indexes), frozenset(triggers.get(table, ()))
            )
        return schema
    finally:
        connection.close()


_PG_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema()
"""

_PG_INDEXES = """
SELECT t.relname AS table_name,
       x.indisunique AND x.indpred IS NULL AS is_unique,
       ARRAY(
           SELECT COALESCE(a.attname, '<expression>')
           FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
           LEFT JOIN pg_catalog.pg_attribute a
             ON a.attrelid = x.indrelid AND a.attnum = k.attnum
           WHERE k.n <= x.indnkeyatts
           ORDER BY k.n
       ) AS columns
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
JOIN pg_catalog.pg_namespace ns ON ns.oid = t.relnamespace
WHERE ns.nspname = current_schema()
"""

_PG_TRIGGERS = """
SELECT event_object_table AS table_name, trigger_name FROM information_schema.triggers
WHERE trigger_schema = current_schema()
"""


async def postgres_schema(dsn: str) -> Schema:
    """Read the catalog of a PostgreSQL database (information_schema, pg_index)."""
    import asyncpg

    connection = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
    try:
        columns: dict[str, set[str]] = {}
        for row in await connection.fetch(_PG_COLUMNS):
            columns.setdefault(row["table_name"], set()).add(row["column_name"])
        indexes: dict[str, set[IndexKey]] = {table: set() for table in columns}
        for row in await connection.fetch(_PG_INDEXES):
            indexes.setdefault(row["table_name"], set()).add(
                (tuple(row["columns"]), row["is_unique"])
            )
        triggers: dict[str, set[str]] = {}
        for row in await connection.fetch(_PG_TRIGGERS):
            triggers.setdefault(row["table_name"], set()).add(row["trigger_name"])
    finally:
        await connection.close()
    return {
        table: TableSchema(
            frozenset(cols),
            frozenset(indexes[table]),
            frozenset(triggers.get(table, ())),
        )
        for table, cols in columns.items()
    }


async def live_schema(database_url: str) -> Schema:
    """The catalog of the database at a Tortoise URL (sqlite:// or postgres://)."""
    if database_url.startswith("sqlite://"):
        return sqlite_schema(database_url.removeprefix("sqlite://"))
    if urlparse(database_url).scheme in {"postgres", "postgresql", "asyncpg"}:
        return await postgres_schema(database_url.replace("asyncpg://", "postgres://"))
    raise ValueError(f"No catalog reader for {database_url}")


# ---------------------------------------------------------------------------
# The difference


def _describe(index: IndexKey) -> str:
    columns, unique = index
    return f"{'unique index' if unique else 'index'} ({', '.join(columns)})"


def schema_diff(declared: Schema, actual: Schema) -> list[str]:
    """One line per difference, "<table>: missing|extra <what>"; [] when they agree.

    Only the declared tables are compared: the database may hold others (the
    migration recorder's)."""
    lines: list[str] = []
    for table in sorted(declared):
        want = declared[table]
        have = actual.get(table)
        if have is None:
            lines.append(f"{table}: missing table")
            continue
        lines += [
            f"{table}: missing column {c}" for c in sorted(want.columns - have.columns)
        ]
        lines += [
            f"{table}: extra column {c}" for c in sorted(have.columns - want.columns)
        ]
        lines += [
            f"{table}: missing {_describe(i)}"
            for i in sorted(want.indexes - have.indexes)
        ]
        lines += [
            f"{table}: extra {_describe(i)}"
            for i in sorted(have.indexes - want.indexes)
        ]
        lines += [
            f"{table}: missing trigger {t}"
            for t in sorted(want.triggers - have.triggers)
        ]
        lines += [
            f"{table}: extra trigger {t}" for t in sorted(have.triggers - want.triggers)
        ]
    return lines


def format_diff(engine: str, lines: list[str]) -> str:
    return (
        f"The migrated {engine} schema differs from what the models declare "
        f"({len(lines)} differences):\n" + "\n".join(f"  {line}" for line in lines)
    )
