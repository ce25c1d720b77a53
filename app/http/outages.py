"""The last resort: nothing escapes as a bare text/plain 500.

An outage of the database or Redis (core.errors.is_outage) that reaches here, from
authentication, the rate limit or a content route, becomes 503 SERVICE_UNAVAILABLE
with Retry-After; any other exception a JSON 500 INTERNAL_ERROR. A client that went
away is no error: nothing is sent and nothing is logged above DEBUG.
"""

import asyncio
import logging

import anyio
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import is_outage
from app.http.errors import internal_error_response, outage_response

log = logging.getLogger("mailroom.http")

_DISCONNECTS = (
    ClientDisconnect,
    anyio.EndOfStream,
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
)


def is_client_disconnect(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(is_client_disconnect(e) for e in exc.exceptions)
    return isinstance(exc, _DISCONNECTS)


class OutageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except asyncio.CancelledError:
            log.debug("request cancelled: %s", scope["path"])
            raise
        except Exception as exc:
            if is_client_disconnect(exc):
                log.debug("client disconnected: %s", scope["path"])
                return
            outage = is_outage(exc)
            if outage:
                log.warning("service unavailable: %s: %r", scope["path"], exc)
            else:
                log.error("unexpected error in %s", scope["path"], exc_info=exc)
            if started:  # too late for another answer: the connection just ends
                return
            response = outage_response() if outage else internal_error_response()
            await response(scope, receive, send_wrapper)
