"""Request JSON with its nesting bounded: a deeply nested document would exhaust the
recursion of whatever walks it next (variable coercion, the NUL check), and
json.loads itself raises RecursionError on it rather than a decode error.

The body is read by msgspec's decoder, which takes the 33 MB of a 25 MB message's
base64 in ~11 ms (json.loads: ~24 ms). Whatever it refuses (NaN, a lone
surrogate, a number past a float's range, a byte-order mark, nesting past its own
limit) json.loads decides, and where it accepts it gives json's values, so the
values and the errors are json.loads' (a property test)."""

import json
from typing import Any

import msgspec
from cross_web import HTTPException

from app.core.limits import limits


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


_DECODER = msgspec.json.Decoder()


def loads(data: str | bytes) -> Any:
    """json.loads(data), read by msgspec where it can."""
    try:
        return _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return json.loads(data)


def decode_json(data: str | bytes) -> object:
    limit = limits().json_depth
    too_deep = HTTPException(400, f"The JSON is nested deeper than {limit} levels.")
    try:
        value = loads(data)
    except RecursionError:
        raise too_deep from None
    if isinstance(value, dict | list) and _deeper_than(value, limit):
        raise too_deep
    return value
