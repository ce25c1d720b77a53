"""Global ids in mutation inputs: a foreign, forged or malformed one is NOT_FOUND on
the input field that carried it (in filters, by contrast, it just matches nothing)."""

from collections.abc import Sequence
from typing import Annotated, Protocol

import strawberry

from app.core.errors import InvalidInput
from app.core.ids import decode_or_not_found

__all__ = [
    "DeprecatedId",
    "decode_or_not_found",
    "input_id",
    "optional_pk",
    "pks",
]


def optional_pk(value: str | None, type_name: str, *, field: str) -> int | None:
    return None if value is None else decode_or_not_found(value, type_name, field=field)


def pks(values: Sequence[str], type_name: str, *, field: str) -> list[int]:
    return [decode_or_not_found(value, type_name, field=field) for value in values]


ID_ARGUMENT_DEPRECATION = (
    "Use input: {id: ...}, as every mutation takes one input argument; id: goes "
    "in the release after this one."
)


# The `id:` argument the older mutations took, kept (optional) beside `input:`.
DeprecatedId = Annotated[
    strawberry.ID | None,
    strawberry.argument(deprecation_reason=ID_ARGUMENT_DEPRECATION),
]


class HasId(Protocol):
    id: strawberry.ID


def input_id(input: HasId | None, id: str | None) -> str:
    """The id of a mutation taking `input: {id}`, or for one release the deprecated
    `id:` argument: exactly one of them (else BAD_REQUEST on `input`)."""
    if (input is None) == (id is None):
        raise InvalidInput(
            "Give input: {id: ...} (or the deprecated id:), exactly one of them.",
            field="input",
        )
    return input.id if input is not None else str(id)
