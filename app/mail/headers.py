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


# RFC 3834 and common practice: mail that says it was sent by a program, or to a
# list, is never answered by a program (mail loops, list floods).
AUTO_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "x-auto-response-suppress")
NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+\-._].*)?$",
    re.IGNORECASE,
)


def sent_automatically(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a message with these headers was automatic or list mail."""
    for name, value in headers:
        name, value = name.lower(), value.strip().lower()
        if name == "auto-submitted" and value not in ("", "no"):
            return True
        if name == "precedence" and value in AUTO_PRECEDENCE:
            return True
        if name in LIST_HEADERS and value:
            return True
        if name == "return-path" and value == "<>":
            return True
    return False


def answerable_automatically(address: str, headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a program may answer mail from `address` with these headers: it has a
    sender, who is no no-reply or daemon address, and it was not itself automatic."""
    local = address.rpartition("@")[0]
    return bool(local) and not NO_REPLY.match(local) and not sent_automatically(headers)
