"""Global ids in mutation inputs: a foreign, forged or malformed one is NOT_FOUND on
the input field that carried it (in filters, by contrast, it just matches nothing)."""

from collections.abc import Sequence

from app.core.ids import decode_or_not_found

__all__ = ["decode_or_not_found", "optional_pk", "pks"]


def optional_pk(value: str | None, type_name: str, *, field: str) -> int | None:
    return None if value is None else decode_or_not_found(value, type_name, field=field)


def pks(values: Sequence[str], type_name: str, *, field: str) -> list[int]:
    return [decode_or_not_found(value, type_name, field=field) for value in values]
