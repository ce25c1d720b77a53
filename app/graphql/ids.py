"""Global ids: "TypeName:pk" in base64, decoded without trusting the client."""

import uuid

from strawberry.relay import GlobalID
from strawberry.relay.types import GlobalIDValueError

from app.errors import NotFound

MAX_PK = 2**31 - 1  # primary keys are 32-bit integer columns


def encode(type_name: str, pk: object) -> str:
    return str(GlobalID(type_name, str(pk)))


def decode(value: str, type_name: str) -> int | uuid.UUID | None:
    """The primary key in a global id of this type, or None if it is not one."""
    try:
        gid = GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError, TypeError):
        return None
    if gid.type_name != type_name:
        return None
    return parse_pk(type_name, gid.node_id)


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
