"""What the router answers when no route matches: the trailing-slash redirect, to
PUBLIC_URL (Starlette's own builds it from the Host header, which the client
chooses: an open redirect behind a proxy that passes Host on), else a JSON 404."""

from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from app.core.errors import ErrorCode, MailroomError
from app.core.urls import public_url
from app.http.errors import json_error


def _other_spelling(path: str) -> str:
    return path.rstrip("/") if path.endswith("/") else path + "/"


async def slash_redirect_or_not_found(
    scope: Scope, receive: Receive, send: Send
) -> None:
    path = scope["path"]
    if scope["type"] == "http" and path != "/":
        other = {**scope, "path": _other_spelling(path)}
        routes = scope["app"].router.routes
        if any(route.matches(other)[0] is not Match.NONE for route in routes):
            query = scope.get("query_string", b"").decode("latin-1")
            target = public_url(quote(other["path"]), query)
            await RedirectResponse(target)(scope, receive, send)
            return
    if scope["type"] != "http":
        return  # websockets: nothing is served; the server closes the handshake
    await json_error(MailroomError("Not found.", code=ErrorCode.NOT_FOUND), 404)(
        scope, receive, send
    )
