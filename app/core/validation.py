"""Email address parsing and validation (pure, standard library only)."""

from email.errors import HeaderParseError
from email.headerregistry import Address

from app.core.errors import InvalidInput


def normalize_address(value: str, *, field: str) -> str:
    """A single bare address (local@domain), lower-cased, or InvalidInput."""
    text = value.strip()
    if any(ch in text for ch in "\r\n") or not text:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field)
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field) from exc
    if not address.username or "." not in address.domain:
        raise InvalidInput(f"Invalid email address: {value!r}.", field=field)
    return address.addr_spec.lower()
