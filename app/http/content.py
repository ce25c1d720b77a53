"""Downloads: the raw message of an email and the bytes of a document.

Both need a bearer token and answer 404 for anything not of the caller's organization.
"""

from typing import TypeVar

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from tortoise.models import Model

from app.core import ids
from app.core.blobs import blob_store
from app.core.errors import ErrorCode, MailroomError
from app.documents.models import Document
from app.http.auth import authenticated
from app.http.errors import json_error, refusal_response
from app.mail.models import Email

INLINE_IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}
)

# Whatever a download holds, a browser that renders it gives it no script, no
# origin of ours and no guessed type.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}

OwnedRow = TypeVar("OwnedRow", bound=Model)


async def _owned_row(request: Request, model: type[OwnedRow]) -> OwnedRow | Response:
    try:
        viewer = await authenticated(request)
    except MailroomError as exc:
        return refusal_response(exc)
    pk = ids.decode(request.path_params["id"], model.__name__)
    row = (
        await model.get_or_none(id=pk, organization_id=viewer.organization_id)
        if isinstance(pk, int)
        else None
    )
    return row if row is not None else _not_found()


def _not_found() -> Response:
    return json_error(MailroomError("Not found.", code=ErrorCode.NOT_FOUND), 404)


async def email_content(request: Request) -> Response:
    email = await _owned_row(request, Email)
    if isinstance(email, Response):
        return email
    store = blob_store()
    if not email.raw_blob_key or not store.exists(email.raw_blob_key):
        return _not_found()
    return FileResponse(
        store.path(email.raw_blob_key),
        media_type="message/rfc822",
        filename=f"email-{email.id}.eml",
        content_disposition_type="attachment",
        headers=DOWNLOAD_HEADERS,
    )


async def document_content(request: Request) -> Response:
    document = await _owned_row(request, Document)
    if isinstance(document, Response):
        return document
    store = blob_store()
    if not document.blob_key or not store.exists(document.blob_key):
        return _not_found()
    return FileResponse(
        store.path(document.blob_key),
        media_type=document.mime_type,
        filename=document.original_file_name or f"document-{document.id}",
        content_disposition_type="attachment",
        headers=DOWNLOAD_HEADERS,
    )


async def email_part_content(request: Request) -> Response:
    """An inline part the HTML body shows (its `cid:` links point here)."""
    email = await _owned_row(request, Email)
    if isinstance(email, Response):
        return email
    part_id = request.path_params["part_id"]
    part = next((p for p in email.parts if p.get("partId") == part_id), None)
    key = part.get("blobKey") if part is not None else None
    store = blob_store()
    if part is None or not key or not store.exists(key):
        return _not_found()
    media_type = part["contentType"]
    headers = {**DOWNLOAD_HEADERS, "Cache-Control": "private, max-age=3600"}
    if media_type in INLINE_IMAGE_TYPES:
        return FileResponse(store.path(key), media_type=media_type, headers=headers)
    # Anything else (an SVG can carry script) is a download, never rendered inline.
    return FileResponse(
        store.path(key),
        media_type=media_type,
        headers=headers,
        filename=f"part-{part_id}",
        content_disposition_type="attachment",
    )
