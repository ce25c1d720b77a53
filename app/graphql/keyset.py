"""Keyset (seek) conditions: the rows after a cursor's sort key values, in order."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.graphql.rows import fetch


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering; `id` always comes last as the tie-breaker.

    `nullable` (the first key only): rows whose value is NULL come after every
    other row, ascending and descending alike (see nulls_last.py)."""

    column: str
    kind: type = datetime  # datetime | str | int | uuid.UUID
    nullable: bool = False


def seek(keys: Sequence[SortKey], values: Sequence[Any], descending: bool) -> Q:
    """Rows strictly after `values` in (keys, descending) order."""
    op = "lt" if descending else "gt"
    clauses = []
    for i, key in enumerate(keys):
        equal = {k.column: v for k, v in zip(keys[:i], values[:i], strict=True)}
        clauses.append(Q(**equal, **{f"{key.column}__{op}": values[i]}))
    return Q(*clauses, join_type="OR")


async def rows_between(
    query: QuerySet[Any],
    keys: Sequence[SortKey],
    descending: bool,
    after: Sequence[Any] | None,
    before: Sequence[Any] | None,
    limit: int,
    backward: bool,
    columns: Sequence[str] | None = None,
) -> list[Any]:
    """Up to `limit` rows between the cursors, in this request's scan order: models,
    or dicts of `columns`."""
    if after is not None:
        query = query.filter(seek(keys, after, descending))
    if before is not None:
        query = query.filter(seek(keys, before, not descending))
    prefix = "-" if descending != backward else ""
    return await fetch(
        query.order_by(*(prefix + k.column for k in keys)).limit(limit), columns
    )
