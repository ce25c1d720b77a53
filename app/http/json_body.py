"""Request JSON with its nesting bounded: a deeply nested document would exhaust the
recursion of whatever walks it next (variable coercion, the NUL check), and
json.loads itself raises RecursionError on it rather than a decode error."""

import json
from typing import Any

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


def decode_json(data: str | bytes) -> object:
    limit = limits().json_depth
    too_deep = HTTPException(400, f"The JSON is nested deeper than {limit} levels.")
    try:
        value = json.loads(data)
    except RecursionError:
        raise too_deep from None
    if isinstance(value, dict | list) and _deeper_than(value, limit):
        raise too_deep
    return value
