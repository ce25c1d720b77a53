"""Request size limits, enforced while the request arrives rather than after it is
read: a declared Content-Length over the limit is refused before any byte is read,
a chunked body as soon as it passes the limit, a long query string at once.

JSON bodies get MAX_REQUEST_BYTES (room for a base64 message); multipart bodies
MAX_MESSAGE_BYTES for their files plus a small envelope.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ErrorCode, MailroomError
from app.core.limits import limits
from app.http.errors import json_error


class BodyTooLarge(MailroomError):
    code = ErrorCode.PAYLOAD_TOO_LARGE

    def __init__(self, limit: int, size: int | None = None) -> None:
        # The declared size when there is one; a chunked body's is unknown (it is
        # refused as soon as it passes the limit, so what was read is no size).
        super().__init__(
            f"The request body is {size} bytes; the limit is {limit}."
            if size is not None
            else f"The request body is larger than the limit of {limit} bytes."
        )


def _contains(exc: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return any(_contains(e, kind) for e in exc.exceptions)
    return isinstance(exc, kind)


def _limit_for(headers: Headers) -> int:
    now = limits()
    if headers.get("content-type", "").startswith("multipart/"):
        return now.max_multipart_bytes
    return now.max_request_bytes


def _declared_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_limit = limits().query_string_bytes
        if len(scope.get("query_string", b"")) > query_limit:
            too_long = MailroomError(
                f"The query string is longer than the limit of {query_limit} bytes;"
                " POST the document as JSON."
            )
            await json_error(too_long, 414)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = _limit_for(headers)
        declared = _declared_length(headers)
        if declared is not None and declared > limit:
            await json_error(BodyTooLarge(limit, declared), 413)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except Exception as exc:
            if not _contains(exc, BodyTooLarge) or started:
                raise
            await json_error(BodyTooLarge(limit), 413)(scope, receive, send)
