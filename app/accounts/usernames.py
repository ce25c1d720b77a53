"""Usernames ({{ user_name }} in templates): unique in the organization, by default
the email address's local part, made unique with a numbered suffix."""

import re

from app.core.errors import InvalidInput

MAX_CHARS = 64
_VALID = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?", re.ASCII)
_INVALID_RUN = re.compile(r"[^a-z0-9._-]+", re.ASCII)


def clean_username(value: str, *, field: str = "username") -> str:
    """A username as given (lower-cased), or InvalidInput: letters, digits and
    . _ - inside, at most 64 characters, so it reads the same in any template."""
    name = value.strip().lower()
    if not _VALID.fullmatch(name):
        raise InvalidInput(
            "A username is 1 to 64 letters, digits, '.', '_' or '-', starting and "
            "ending with a letter or digit.",
            field=field,
        )
    return name


def username_base(email: str) -> str:
    """The default for an address: its local part with other characters as '-'."""
    local = email.rpartition("@")[0].lower()
    name = _INVALID_RUN.sub("-", local).strip("._-")[:MAX_CHARS].rstrip("._-")
    return name or "user"


def numbered(base: str, number: int) -> str:
    """The `number`th candidate for `base`: base, base-2, base-3, ... (fits 64)."""
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: MAX_CHARS - len(suffix)].rstrip("._-") + suffix
