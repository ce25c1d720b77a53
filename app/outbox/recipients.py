"""Outgoing recipients and custom headers, validated (pure)."""

import re
from dataclasses import dataclass

from app.core.errors import InvalidInput
from app.core.limits import limits
from app.core.validation import no_line_breaks, normalize_address

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,76}$")
# Headers Mailroom writes itself; a caller may not set or override them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "message-id",
        "date",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "sender",
        "reply-to-all",
        "return-path",
        "received",
    }
)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"email": self.email, "name": self.name}


def clean_recipients(
    lists: dict[str, list[tuple[str, str]]], *, max_recipients: int
) -> dict[str, list[Recipient]]:
    """Parse to/cc/bcc, drop repeats (an address keeps its first place, to before cc
    before bcc) and check the total is 1..max_recipients."""
    seen: set[str] = set()
    result: dict[str, list[Recipient]] = {}
    for field in ("to", "cc", "bcc"):
        result[field] = []
        for address, name in lists.get(field, []):
            email = normalize_address(address, field=field)
            no_line_breaks(name, field=field)
            if len(name) > 200:
                raise InvalidInput(
                    "A recipient name is at most 200 characters.", field=field
                )
            if email not in seen:
                seen.add(email)
                result[field].append(Recipient(email, name.strip()))
    if not seen:
        raise InvalidInput("Give at least one recipient.", field="to")
    if len(seen) > max_recipients:
        raise InvalidInput(
            f"{len(seen)} recipients; at most {max_recipients} are allowed.", field="to"
        )
    return result


def clean_headers(headers: object) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, dict) or len(headers) > limits().custom_headers:
        raise InvalidInput(
            f"headers must be an object of at most {limits().custom_headers} names.",
            field="headers",
        )
    clean: dict[str, str] = {}
    for name, value in headers.items():
        no_line_breaks(name, field="headers")
        if not _HEADER_NAME.fullmatch(name) or name.lower() in RESERVED_HEADERS:
            raise InvalidInput(f"Header {name!r} may not be set.", field="headers")
        if not isinstance(value, str) or len(value) > limits().header_value_chars:
            raise InvalidInput(
                f"Header {name!r} needs a short string value.", field="headers"
            )
        clean[name] = no_line_breaks(value, field="headers")
    return clean
