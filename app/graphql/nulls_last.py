"""Keyset pages over an ordering whose first key may be NULL, NULLs last in both
directions (emails without a Date come after every dated one).

One ORDER BY cannot put NULLs last both ways and still walk the (…, key, id) index,
so a page reads two runs, each an index range: the rows with a value, ordered by
(key, id), then the rows without, ordered by id; a backward page reads them in
reverse. At most two statements a page, whatever its size.
"""

from collections.abc import Sequence
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.graphql.keyset import SortKey, seek
from app.graphql.rows import fetch

_ALL = Q()


def _after(
    keys: Sequence[SortKey],
    cursor: Sequence[Any],
    descending: bool,
    *,
    nulls: bool,
    nulls_after: bool,
) -> Q | None:
    """Rows of one run (`nulls`: those whose first key is NULL) strictly after the
    cursor in (keys, descending) order, NULLs after the values when `nulls_after`;
    None when no row of the run is."""
    if cursor[0] is None:  # the cursor is in the NULL run
        if nulls:
            return seek(keys[1:], cursor[1:], descending)
        return None if nulls_after else _ALL
    if nulls:
        return _ALL if nulls_after else None
    return seek(keys, cursor, descending)


async def nulls_last_rows(
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
    column = keys[0].column
    scan_desc = descending != backward
    prefix = "-" if scan_desc else ""
    rows: list[Any] = []
    # Forward, the dated run comes first; backward, the NULL run does.
    for nulls in (backward, not backward):
        if len(rows) >= limit:
            break
        run = query.filter(**{f"{column}__isnull": nulls})
        bounds = [
            (after, descending, True),  # after `after` in the page's order
            (before, not descending, False),  # after `before` in the reverse order
        ]
        skip = False
        for cursor, direction, nulls_after in bounds:
            if cursor is None:
                continue
            condition = _after(
                keys, cursor, direction, nulls=nulls, nulls_after=nulls_after
            )
            if condition is None:
                skip = True
                break
            if condition is not _ALL:
                run = run.filter(condition)
        if skip:
            continue
        order = keys[1:] if nulls else keys
        page = run.order_by(*(prefix + k.column for k in order)).limit(
            limit - len(rows)
        )
        rows += await fetch(page, columns)
    return rows
