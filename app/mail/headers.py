"""Email.headers as stored: [{name, value}] in message order, capped in total size,
so a list page shows them from the row and never reads the raw message."""

import re
from collections.abc import Iterable

from app.core.limits import limits

_FOLD = re.compile(r"\r?\n(?=[ \t])")


def header_list(pairs: Iterable[tuple[str, str]]) -> tuple[list[dict[str, str]], bool]:
    """The stored list and whether headers were left out to keep it under
    `stored_header_bytes` (a header is kept whole or not at all, in order)."""
    budget = limits().stored_header_bytes
    kept: list[dict[str, str]] = []
    for name, value in pairs:
        value = _FOLD.sub("", value).strip()  # unfolded (RFC 5322 2.2.3)
        budget -= len(name.encode()) + len(value.encode())
        if budget < 0:
            return kept, True
        kept.append({"name": name, "value": value})
    return kept, False
