"""Relay connections with keyset (seek) pagination: no OFFSET, stable under inserts.

A cursor holds the sort key values of its row, so the next page is "rows after these
values" in the index order, whatever was inserted or deleted meanwhile.
"""

import base64
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.core.errors import InvalidInput
from app.core.ids import MAX_PK
from app.graphql.keyset import SortKey, rows_between
from app.graphql.nulls_last import nulls_last_rows
from app.settings import get_settings

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Rows matching the filter, across all pages.")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(
        description="The nodes of the edges, for clients not needing cursors."
    )
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [
        v.isoformat()
        if isinstance(v, datetime)
        else str(v)
        if isinstance(v, uuid.UUID)
        else v
        for v in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError
        values: list[Any] = []
        for key, value in zip(keys, raw, strict=True):
            nothing = value is None and key.nullable
            values.append(None if nothing else _decode_value(key.kind, value))
        return values
    except (ValueError, TypeError, UnicodeError, AttributeError):
        raise InvalidInput("Invalid cursor.", field="after/before") from None


def _decode_value(kind: type, value: Any) -> Any:
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
        return moment.astimezone(UTC)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    if isinstance(value, int) and kind is int and not 0 <= value <= MAX_PK:
        raise ValueError
    return value


def _page_size(args: PageArgs) -> tuple[int, bool]:
    settings = get_settings()
    if args.first is not None and args.last is not None:
        raise InvalidInput("Pass either first or last, not both.", field="first")
    backward = args.last is not None
    size = args.last if backward else args.first
    if size is None:
        size = settings.default_page_size
    if size < 0 or size > settings.max_page_size:
        raise InvalidInput(
            f"Page size must be between 0 and {settings.max_page_size}.",
            field="last" if backward else "first",
        )
    return size, backward


async def paginate(
    query: QuerySet[Any],
    *,
    keys: Sequence[SortKey],
    descending: bool,
    args: PageArgs,
    to_node: Callable[[Any], NodeT],
    id_kind: type = int,
    columns: Sequence[str] | None = None,
) -> Connection[NodeT]:
    """One page of `query` ordered by `keys` (+ id), as a Relay connection; with
    `columns`, its rows are dicts of those (and the keys) for `to_node`."""
    keys = [*keys, SortKey("id", id_kind)]
    select = None if columns is None else [*columns, *(k.column for k in keys)]
    size, backward = _page_size(args)
    count_query = query
    after = None if args.after is None else decode_cursor(args.after, keys)
    before = None if args.before is None else decode_cursor(args.before, keys)
    if keys[0].nullable:
        rows = await nulls_last_rows(
            query, keys, descending, after, before, size + 1, backward, select
        )
    else:
        rows = await rows_between(
            query, keys, descending, after, before, size + 1, backward, select
        )
    has_more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    edges = [
        Edge(node=to_node(row), cursor=encode_cursor([_value(row, k) for k in keys]))
        for row in rows
    ]
    page_info = PageInfo(
        has_next_page=has_more if not backward else args.before is not None,
        has_previous_page=has_more if backward else args.after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, _count=count_query.count)


def _value(row: Model | dict[str, Any], key: SortKey) -> Any:
    # Strict, unlike rows.column: a sort key is always fetched.
    return row[key.column] if type(row) is dict else getattr(row, key.column)
