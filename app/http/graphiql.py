"""GraphiQL served by the app itself: the page and its vendored assets (no CDN)."""

from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

# The page may load only what this origin serves; GraphiQL sets inline styles and
# uses data: URLs for its icons.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


@cache
def _page() -> str:
    return (HERE / "graphiql.html").read_text(encoding="utf-8")


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(
        _page(),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
        },
    )


def static_assets() -> Mount:
    """/static/…: GraphiQL's scripts and styles (app/http/static/graphiql/)."""
    return Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
