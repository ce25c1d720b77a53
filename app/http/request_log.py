"""One log line and the request metrics for every HTTP request."""

import logging
import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logs import request_id

REQUESTS = Counter("mailroom_http_requests_total", "HTTP requests", ["path", "status"])
LATENCY = Histogram("mailroom_http_request_seconds", "HTTP request latency", ["path"])

CLIENT_CLOSED = 499  # the status logged when the client left before any answer


def _route_label(path: str) -> str:
    # Keep label cardinality bounded: ids in content paths are collapsed.
    if path.startswith("/content/"):
        return "/".join(path.split("/")[:3]) + "/{id}"
    return path


class RequestLogMiddleware:
    """Logs method, path, status and duration of every HTTP request (never its query
    string or body), under a request id the response names in X-Request-ID."""

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
        rid = uuid.uuid4().hex[:16]
        token = request_id.set(rid)

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
            REQUESTS.labels(path, str(status)).inc()
            LATENCY.labels(path).observe(elapsed)
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
            request_id.reset(token)
