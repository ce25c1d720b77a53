"""Public URLs (PUBLIC_URL + path): of stored content, and of any redirect."""

from app.core.ids import encode as global_id
from app.settings import get_settings


def _base() -> str:
    return get_settings().public_url.rstrip("/")


def public_url(path: str, query: str = "") -> str:
    """`path` (already quoted) under PUBLIC_URL, never under a Host header."""
    return f"{_base()}{path}" + (f"?{query}" if query else "")


def email_content_url(email_id: int) -> str:
    return f"{_base()}/content/emails/{global_id('Email', email_id)}"


def email_part_url(email_id: int, part_id: str) -> str:
    return f"{email_content_url(email_id)}/parts/{part_id}"


def document_content_url(document_id: int) -> str:
    return f"{_base()}/content/documents/{global_id('Document', document_id)}"
