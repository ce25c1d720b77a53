"""A SQLite database as a migration left it, read and written without the ORM: for
tests that put rows in before a migration and look at them after."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any


def remove_sqlite(path: Path) -> None:
    """A SQLite database file and its -wal and -shm companions."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


@contextmanager
def sqlite(url: str) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(url.removeprefix("sqlite://"))) as connection:
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:  # one transaction, committed
            yield connection


def insert(connection: sqlite3.Connection, table: str, **values: Any) -> Any:
    """Insert a row, return its id; NOT NULL columns not given get a neutral value
    (the ORM's defaults are Python-side, the schema has none)."""
    for column in connection.execute(f'PRAGMA table_info("{table}")'):
        name, kind, not_null, pk = column[1], column[2].upper(), column[3], column[5]
        if pk or not not_null or name in values:
            continue
        if "INT" in kind or "BOOL" in kind:
            values[name] = 0
        elif "TIMESTAMP" in kind:
            values[name] = "2024-05-01T10:00:00+00:00"
        elif "JSON" in kind:
            values[name] = "{}"
        else:
            values[name] = ""
    columns = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    cursor = connection.execute(
        f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', list(values.values())
    )
    return values.get("id", cursor.lastrowid)
