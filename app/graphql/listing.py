"""What the root list fields share: a newest-first connection over the caller's rows
of a model, and filtering a list by one global id."""

from datetime import datetime
from typing import Any

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.core import ids
from app.graphql.context import Info
from app.graphql.pagination import Connection, PageArgs, SortKey, paginate
from app.graphql.prefetch import warmed

BY_CREATION = [SortKey("created_at", datetime)]


def newest_first(
    model: type[Model],
    node_type: type,
    filter_type: type | None = None,
    *,
    id_kind: type = int,
    permission_classes: list[type] | None = None,
) -> Any:
    """A connection over the caller's rows of `model`, newest first, optionally
    with a `filter` argument of `filter_type` (an input with `apply(query)`)."""

    async def page(info: Info, filter: Any, args: PageArgs) -> Connection[Any]:
        query = model.filter(organization_id=info.context.organization_id)
        page = await paginate(
            filter.apply(query) if filter is not None else query,
            keys=BY_CREATION,
            descending=True,
            args=args,
            to_node=node_type.from_model,  # type: ignore[attr-defined]
            id_kind=id_kind,
            columns=info.context.loaders.columns.get(model),
        )
        return await warmed(info, page)

    if filter_type is None:

        async def resolve(
            info: Info,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> Connection[node_type]:  # type: ignore[valid-type]
            return await page(info, None, PageArgs(first, after, last, before))

    else:

        async def resolve(  # type: ignore[misc]
            info: Info,
            filter: filter_type | None = None,  # type: ignore[valid-type]
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> Connection[node_type]:  # type: ignore[valid-type]
            return await page(info, filter, PageArgs(first, after, last, before))

    return strawberry.field(resolver=resolve, permission_classes=permission_classes)


def with_id(
    query: QuerySet[Any], column: str, value: strawberry.ID | None, type_name: str
) -> QuerySet[Any]:
    """Rows whose `column` is the pk in `value`; none if it is not a `type_name` id."""
    if value is None:
        return query
    return query.filter(**{f"{column}__in": ids.decode_many([value], type_name)})
