"""What every mutation shares: expected failures become InputError data."""

from collections.abc import Awaitable
from typing import TypeVar

from app.core.errors import InvalidInput
from app.graphql.types.common import InputError

T = TypeVar("T")


async def as_result(work: Awaitable[T]) -> T | InputError:
    try:
        return await work
    except InvalidInput as exc:
        return InputError.from_exception(exc)
