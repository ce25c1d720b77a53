"""SQLite as a multi-process embedded database (a Tortoise engine module).

`serve`, `worker` and `smtpd` may share one SQLite file. Tortoise's client opens
transactions with a deferred `BEGIN`, which takes the write lock only at the first
write; when another process wrote in between, SQLite answers "database is locked" at
once instead of waiting (a stale read snapshot cannot be upgraded). `BEGIN IMMEDIATE`
takes the write lock up front, so the busy timeout applies and writers queue instead.
The module name keeps "sqlite" in it: Tortoise picks its SQLite schema editor by it.
"""

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

BUSY_TIMEOUT_MS = 30_000


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class MultiProcessSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        kwargs.setdefault(
            "synchronous", "NORMAL"
        )  # safe with WAL; fsync per checkpoint
        super().__init__(file_path, **kwargs)

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = MultiProcessSqliteClient
