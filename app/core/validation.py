"""Input checks shared by every capability (pure, standard library only)."""

from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from app.core.errors import InvalidInput
from app.core.limits import limits

# Every character some mail software or Python's str.splitlines() takes for the end
# of a line: in a header value any of them can start a header of its own.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def has_line_break(value: str) -> bool:
    return not LINE_BREAKS.isdisjoint(value)


def no_line_breaks(value: str, *, field: str) -> str:
    """`value` unchanged, or InvalidInput naming `field` (header values, names)."""
    if has_line_break(value):
        raise InvalidInput(
            "Line breaks (CR, LF, VT, FF, FS, GS, RS, NEL, U+2028, U+2029) are not "
            "allowed here.",
            field=field,
        )
    return value


def normalize_address(value: str, *, field: str) -> str:
    """A single bare address (local@domain), lower-cased, or InvalidInput."""
    text = value.strip()
    if has_line_break(value) or not text:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field)
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field) from exc
    if not address.username or "." not in address.domain:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field)
    return address.addr_spec.lower()


def check_metadata(metadata: Any, *, field: str = "metadata") -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise InvalidInput("Metadata must be a JSON object.", field=field)
    limit = limits().metadata_max_keys
    if len(metadata) > limit:
        raise InvalidInput(f"Metadata may have at most {limit} keys.", field=field)
    return metadata
