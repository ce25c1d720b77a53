"""The ASGI application: routes, and the lifespan that opens Tortoise and Redis."""

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from arq import create_pool
from starlette.applications import Starlette
from starlette.routing import Route

from app.core.logs import configure_logging
from app.core.redis import arq_settings, release_embedded
from app.db import close_db, open_db
from app.graphql.schema import build_schema
from app.http.body_limit import BodyLimitMiddleware
from app.http.content import document_content, email_content, email_part_content
from app.http.graphiql import static_assets
from app.http.graphql_view import MailroomGraphQL
from app.http.health import healthz, metrics, readyz
from app.http.metrics import forget_dead_processes, process_ends
from app.http.outages import OutageMiddleware
from app.http.ratelimit import RateLimits
from app.http.redirects import slash_redirect_or_not_found
from app.http.request_log import RequestLogMiddleware


def _lifespan(*, owns_process: bool) -> Callable[[Starlette], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owns_process:
            forget_dead_processes()
        opened = await open_db()  # `mailroom dev` opens it first, for its worker too
        app.state.redis = await create_pool(arq_settings())
        app.state.rate_limits = RateLimits(app.state.redis)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            if opened:
                await close_db()
            if owns_process:
                release_embedded()
                process_ends()

    return lifespan


def create_app(*, owns_process: bool = False) -> Starlette:
    """The API; `owns_process` when it is all this process runs (`mailroom serve`)."""
    configure_logging()
    graphql = MailroomGraphQL(build_schema(), multipart_uploads_enabled=True)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/content/emails/{id}", email_content),
            Route("/content/emails/{id}/parts/{part_id}", email_part_content),
            Route("/content/documents/{id}", document_content),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            static_assets(),
        ],
        lifespan=_lifespan(owns_process=owns_process),
    )
    app.router.redirect_slashes = False
    app.router.default = slash_redirect_or_not_found
    app.add_middleware(BodyLimitMiddleware)  # before anything reads the body
    app.add_middleware(OutageMiddleware)  # inside: the request log sees its 503
    app.add_middleware(RequestLogMiddleware)
    return app


def create_served_app() -> Starlette:
    """The factory `mailroom serve` hands to uvicorn."""
    return create_app(owns_process=True)
