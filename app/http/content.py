"""Downloads: the raw message of an email and the bytes of a document.

Opened with a bearer token, or with the signature of a link Mailroom handed out
(core.signing: contentUrl and the part URLs of a sanitized body), so a browser
needs no header. Anything not of the caller's organization is 404; a tampered or
expired link is 403. Bodies stream from the blob store a chunk at a time.
"""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from tortoise.models import Model

from app.core import ids, signing
from app.core.blobs import blob_store
from app.core.errors import ErrorCode, MailroomError
from app.core.urls import document_content_path, email_content_path, email_part_path
from app.documents.models import Document
from app.http.auth import authenticated, bearer_token
from app.http.client_ip import client_ip
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


async def _owned_row(
    request: Request, model: type[OwnedRow], signed_path: Callable[[str], str]
) -> OwnedRow | Response:
    """The row the path names, if the caller may read it: by bearer token when
    one is sent, else by the link's signature over `signed_path(id)`."""
    gid = request.path_params["id"]
    pk = ids.decode(gid, model.__name__)
    if bearer_token(request) is None and "signature" in request.query_params:
        return await _signed_row(request, model, pk, signed_path(gid))
    try:
        viewer = await authenticated(request)
    except MailroomError as exc:
        return refusal_response(exc)
    row = (
        await model.get_or_none(id=pk, organization_id=viewer.organization_id)
        if isinstance(pk, int)
        else None
    )
    return row if row is not None else _not_found()


async def _signed_row(
    request: Request, model: type[OwnedRow], pk: object, path: str
) -> OwnedRow | Response:
    try:
        await request.app.state.rate_limits.check_client(client_ip(request.scope))
    except MailroomError as exc:
        return refusal_response(exc)
    row = await model.get_or_none(id=pk) if isinstance(pk, int) else None
    # A row that is not there has no genuine link either: 403 as for a forgery,
    # so a signature-bearing request learns nothing about which ids exist.
    problem = (
        signing.check(
            path,
            organization_id=row.organization_id,  # type: ignore[attr-defined]
            expires=request.query_params.get("expires", ""),
            signature=request.query_params["signature"],
        )
        if row is not None
        else signing.LinkProblem.INVALID
    )
    if problem is signing.LinkProblem.EXPIRED:
        return _forbidden("This link has expired; read contentUrl again for a new one.")
    if problem is not None or row is None:
        return _forbidden("This link's signature is not valid.")
    return row


def _forbidden(message: str) -> Response:
    return json_error(MailroomError(message, code=ErrorCode.ACCESS_FORBIDDEN), 403)


def _not_found() -> Response:
    return json_error(MailroomError("Not found.", code=ErrorCode.NOT_FOUND), 404)


async def _blob_response(
    key: str | None,
    *,
    media_type: str,
    headers: dict[str, str],
    filename: str | None = None,
) -> Response:
    if not key:
        return _not_found()
    try:
        blob = await blob_store().open(key)
    except FileNotFoundError:
        return _not_found()
    headers = {**headers, "Content-Length": str(blob.size)}
    if filename is not None:
        headers["Content-Disposition"] = _attachment(filename)
    return StreamingResponse(blob.chunks, media_type=media_type, headers=headers)


def _attachment(filename: str) -> str:
    """As Starlette's FileResponse writes it: RFC 5987 for a name not plain ASCII."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


async def email_content(request: Request) -> Response:
    email = await _owned_row(request, Email, email_content_path)
    if isinstance(email, Response):
        return email
    return await _blob_response(
        email.raw_blob_key,
        media_type="message/rfc822",
        headers=DOWNLOAD_HEADERS,
        filename=f"email-{email.id}.eml",
    )


async def document_content(request: Request) -> Response:
    document = await _owned_row(request, Document, document_content_path)
    if isinstance(document, Response):
        return document
    return await _blob_response(
        document.blob_key,
        media_type=document.mime_type,
        headers=DOWNLOAD_HEADERS,
        filename=document.original_file_name or f"document-{document.id}",
    )


async def email_part_content(request: Request) -> Response:
    """An inline part the HTML body shows (its `cid:` links point here)."""
    part_id = request.path_params["part_id"]
    email = await _owned_row(request, Email, lambda gid: email_part_path(gid, part_id))
    if isinstance(email, Response):
        return email
    part = next((p for p in email.parts if p.get("partId") == part_id), None)
    if part is None:
        return _not_found()
    media_type = part["contentType"]
    headers = {**DOWNLOAD_HEADERS, "Cache-Control": "private, max-age=3600"}
    # Anything but a plain image (an SVG can carry script) is a download.
    inline = media_type in INLINE_IMAGE_TYPES
    return await _blob_response(
        part.get("blobKey"),
        media_type=media_type,
        headers=headers,
        filename=None if inline else f"part-{part_id}",
    )
