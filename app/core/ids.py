"""Global ids: base64 of "TypeName:pk", as Relay and Strawberry's GlobalID spell them.

The one codec of the code base (the GraphQL layer, the CLI and content URLs use it);
decoding never trusts the client: a malformed, forged or out-of-range id is None.
"""

import base64
import uuid

from app.core.errors import NotFound

MAX_PK = 2**31 - 1  # primary keys are 32-bit integer columns


def encode(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def split(value: str) -> tuple[str, str] | None:
    """(type name, raw pk) of a global id, or None if it is not one."""
    try:
        decoded = base64.b64decode(value.encode()).decode()
    except (ValueError, UnicodeError):
        return None
    type_name, sep, raw = decoded.partition(":")
    return (type_name, raw) if sep else None


def decode(value: str, type_name: str) -> int | uuid.UUID | None:
    """The primary key in a global id of this type, or None if it is not one."""
    parts = split(value)
    if parts is None or parts[0] != type_name:
        return None
    return parse_pk(type_name, parts[1])


def parse_pk(type_name: str, raw: str) -> int | uuid.UUID | None:
    if type_name == "Task":
        try:
            return uuid.UUID(raw)
        except ValueError:
            return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    pk = int(raw)
    return pk if pk <= MAX_PK else None


def decode_or_not_found(value: str, type_name: str, *, field: str) -> int:
    """For mutation inputs: a foreign, forged or malformed id is NOT_FOUND."""
    pk = decode(value, type_name)
    if not isinstance(pk, int):
        raise NotFound(f"No {type_name} with id {value!r}.", field=field)
    return pk


def decode_many(values: list[str], type_name: str) -> list[int]:
    """For filters: ids that are not of this type simply match nothing."""
    return [pk for v in values if isinstance(pk := decode(v, type_name), int)]
