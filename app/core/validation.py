"""Input checks shared by every capability (pure, standard library only)."""

from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from app.core.errors import InvalidInput
from app.core.limits import limits


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


def check_metadata(metadata: Any, *, field: str = "metadata") -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise InvalidInput("Metadata must be a JSON object.", field=field)
    limit = limits().metadata_max_keys
    if len(metadata) > limit:
        raise InvalidInput(f"Metadata may have at most {limit} keys.", field=field)
    return metadata
