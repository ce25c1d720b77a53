"""Small shared types: InputError (every mutation result has it), the ORM-row bridge
every object type uses, and the JSON scalar."""

import dataclasses
from asyncio import Future
from collections.abc import Awaitable, Iterable
from typing import Any, Self, TypeAlias, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from app.core.errors import ErrorCode, InvalidInput
from app.graphql.enums import ErrorCodeEnum

__all__ = ["JSON", "InputError", "FromModel", "Later"]

K = TypeVar("K")
T = TypeVar("T")

# What a relation resolver returns: the value when its loader has it already (the
# page's look-ahead loaded it, see prefetch.py), else an awaitable of it. Such a
# resolver is a plain function, so it names its GraphQL type with `graphql_type=`.
Later: TypeAlias = T | Awaitable[T]


@strawberry.type(
    description="A problem with the mutation's input that the caller can fix."
)
class InputError:
    code: ErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str

    @classmethod
    def from_exception(cls, exc: InvalidInput) -> Self:
        return cls(code=ErrorCode(exc.code), field=exc.field, message=exc.message)


_INIT_NAMES: dict[type, tuple[str, ...]] = {}


def _init_names(cls: type) -> tuple[str, ...]:
    # Once per type, not once per row: a page of 100 emails builds ~600 objects.
    names = _INIT_NAMES.get(cls)
    if names is None:
        fields = dataclasses.fields(cls)
        names = _INIT_NAMES[cls] = tuple(f.name for f in fields if f.init)
    return names


class FromModel:
    """Build a strawberry type from an ORM row: every init field is read by name.

    A row that is a dict holds only the columns the query reads (columns.py): the
    object gets those attributes and no others, which no selected field needs."""

    @classmethod
    def from_model(cls, row: Any) -> Self:
        if type(row) is dict:
            node = cls.__new__(cls)
            node.__dict__.update(row)
            return node
        return cls(**{name: getattr(row, name) for name in _init_names(cls)})

    @classmethod
    def from_optional(cls, row: Any | None) -> Self | None:
        return None if row is None else cls.from_model(row)

    @classmethod
    def from_models(cls, rows: Iterable[Any]) -> list[Self]:
        return [cls.from_model(row) for row in rows]

    @classmethod
    async def load(cls, loader: DataLoader[K, Any], key: K | None) -> Self | None:
        """The object behind a nullable foreign key, batched by a request loader."""
        return None if key is None else cls.from_optional(await loader.load(key))

    @classmethod
    async def load_list(cls, loader: DataLoader[K, list[Any]], key: K) -> list[Self]:
        return cls.from_models(await loader.load(key))

    @classmethod
    def now(cls, loader: DataLoader[K, Any], key: K | None) -> Later[Self | None]:
        """`load`, answered at once when the loader holds the row already."""
        if key is None:
            return None
        done = ready(loader, key)
        return (
            cls.load(loader, key) if done is None else cls.from_optional(done.result())
        )

    @classmethod
    def list_now(cls, loader: DataLoader[K, list[Any]], key: K) -> Later[list[Self]]:
        """`load_list`, answered at once when the loader holds the rows already."""
        done = ready(loader, key)
        return (
            cls.load_list(loader, key)
            if done is None
            else cls.from_models(done.result())
        )


def ready(loader: DataLoader[K, T], key: K) -> "Future[T] | None":
    """The loader's future for `key` if it has its value; None if pending, failed
    or never asked (the caller then awaits the load, and a failure raises there)."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled():
        return None
    return None if future.exception() is not None else future


def value_now(loader: DataLoader[K, T], key: K) -> Later[T]:
    """A loader's value for `key` (labels, counts: not rows), at once if loaded."""
    done = ready(loader, key)
    return loader.load(key) if done is None else done.result()
