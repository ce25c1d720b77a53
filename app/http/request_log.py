"""One log line and the request metrics for every HTTP request."""

import logging
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import logs
from app.core.metrics import HTTP_REQUESTS, HTTP_SECONDS

CLIENT_CLOSED = 499  # the status logged when the client left before any answer


ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


def _route_label(path: str) -> str:
    # Keep label cardinality bounded: ids in content paths are collapsed, and
    # whatever else a scanner asks for is one label.
    if path.startswith("/content/"):
        return "/".join(path.split("/")[:3]) + "/{id}"
    return path if path in ROUTES else "(other)"


class RequestLogMiddleware:
    """Logs method, path, status and duration of every HTTP request (never its query
    string or body), under a request id the response names in X-Request-ID: the
    client's own when it is a sane token (a proxy's, to follow a request through),
    else a fresh one. Every line logged while it is served carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("mailroom.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: int | None = None
        failed = False
        rid = logs.request_id_from(Headers(scope=scope).get("x-request-id"))
        outer = logs.current_context()
        logs.replace_context({"request_id": rid})

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            failed = True
            raise
        finally:
            # No answer and no error: the client went away first (nginx's 499).
            status = status or (500 if failed else CLIENT_CLOSED)
            elapsed = time.perf_counter() - start
            path = _route_label(scope["path"])
            HTTP_REQUESTS.labels(path, str(status)).inc()
            HTTP_SECONDS.labels(path).observe(elapsed)
            self.log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "ms": round(elapsed * 1000, 1),
                    }
                },
            )
            # What was bound in here (operation, organization) ends with it.
            logs.replace_context(outer)
