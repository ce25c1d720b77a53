"""Public URLs of stored content (PUBLIC_URL + route + global id)."""

import base64

from app.settings import get_settings


def global_id(type_name: str, pk: object) -> str:
    """The Relay global id: base64 of "Type:pk" (what strawberry's GlobalID makes)."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _base() -> str:
    return get_settings().public_url.rstrip("/")


def email_content_url(email_id: int) -> str:
    return f"{_base()}/content/emails/{global_id('Email', email_id)}"


def email_part_url(email_id: int, part_id: str) -> str:
    return f"{email_content_url(email_id)}/parts/{part_id}"


def document_content_url(document_id: int) -> str:
    return f"{_base()}/content/documents/{global_id('Document', document_id)}"
