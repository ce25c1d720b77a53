"""Rows as a request fetches them: model instances, or, when the query's column
plan names the model (columns.py), dicts of only those columns."""

from collections.abc import Iterable
from typing import Any

from tortoise.queryset import QuerySet


def fetch(query: QuerySet[Any], columns: Iterable[str] | None, *also: str) -> Any:
    """The rows of `query`, awaitable: model instances, or dicts of `columns` and
    `also` (each once) when there are columns."""
    if columns is None:
        return query
    return query.values(*dict.fromkeys([*columns, *also]))


def column(row: Any, name: str) -> Any:
    """A column of either kind of row; None if the row has none of that name."""
    return row.get(name) if type(row) is dict else getattr(row, name, None)
