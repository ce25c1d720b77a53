"""/healthz (the process answers), /readyz (database and Redis answer), /metrics."""

import asyncio

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import connections

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


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
