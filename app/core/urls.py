"""Public URLs (PUBLIC_URL + path): of stored content, and of any redirect.

Content URLs carry a signature (core.signing) so a browser opens them without an
Authorization header; the path alone (`*_content_path`) is what is signed.
"""

import html
import re

from app.core.ids import encode as global_id
from app.core.signing import signature_query
from app.settings import get_settings


def _base() -> str:
    return get_settings().public_url.rstrip("/")


def public_url(path: str, query: str = "") -> str:
    """`path` (already quoted) under PUBLIC_URL, never under a Host header."""
    return f"{_base()}{path}" + (f"?{query}" if query else "")


def email_content_path(email_gid: str) -> str:
    return f"/content/emails/{email_gid}"


def email_part_path(email_gid: str, part_id: str) -> str:
    return f"{email_content_path(email_gid)}/parts/{part_id}"


def document_content_path(document_gid: str) -> str:
    return f"/content/documents/{document_gid}"


def _signed(path: str, organization_id: int) -> str:
    return public_url(path, signature_query(path, organization_id=organization_id))


def email_content_url(email_id: int, *, organization_id: int) -> str:
    return _signed(email_content_path(global_id("Email", email_id)), organization_id)


def document_content_url(document_id: int, *, organization_id: int) -> str:
    path = document_content_path(global_id("Document", document_id))
    return _signed(path, organization_id)


def email_part_url(email_id: int, part_id: str) -> str:
    """Unsigned, as stored in a sanitized body; `with_signed_part_urls` signs them
    each time the body is read (a stored signature would expire)."""
    return public_url(email_part_path(global_id("Email", email_id), part_id))


def with_signed_part_urls(body: str, *, email_id: int, organization_id: int) -> str:
    """The stored HTML body with each of this email's part URLs signed."""
    prefix = email_part_url(email_id, "")
    if prefix not in body:
        return body

    def sign(match: re.Match[str]) -> str:
        path = email_part_path(global_id("Email", email_id), match.group(1))
        return html.escape(_signed(path, organization_id), quote=True)

    return re.sub(re.escape(prefix) + r"([A-Za-z0-9._-]+)", sign, body)
