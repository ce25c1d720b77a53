"""/healthz (the process answers), /readyz (database and Redis answer), /metrics."""

import asyncio
import hmac

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import connections

from app.core.errors import AccessForbidden, AuthenticationFailed
from app.http.auth import bearer_token
from app.http.errors import json_error
from app.http.metrics import exposition
from app.settings import get_settings

CHECK_TIMEOUT = 2.0


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _check(probe) -> bool:
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT)
        return True
    except Exception:
        return False


async def readyz(request: Request) -> Response:
    database = await _check(
        lambda: connections.get("default").execute_query("SELECT 1")
    )
    redis = await _check(request.app.state.redis.ping)
    ready = database and redis
    body = {
        "status": "ok" if ready else "unavailable",
        "database": "ok" if database else "down",
        "redis": "ok" if redis else "down",
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def _metrics_refusal(request: Request) -> Response | None:
    """With METRICS_TOKEN set, only a scraper that knows it reads the metrics."""
    secret = get_settings().metrics_token
    expected = secret.get_secret_value() if secret else ""
    if not expected:
        return None
    given = bearer_token(request)
    if given is None:
        needed = "Authorization: Bearer <METRICS_TOKEN> is required."
        return json_error(AuthenticationFailed(needed), 401)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return json_error(AccessForbidden("Not the metrics token."), 403)
    return None


async def metrics(request: Request) -> Response:
    if (refusal := _metrics_refusal(request)) is not None:
        return refusal
    body = await exposition(request.app.state.redis)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
