"""/graphql: GraphiQL for browsers; every operation needs a valid bearer token."""

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from app.core.errors import ErrorCode, MailroomError
from app.graphql.context import Context
from app.http.auth import authenticated
from app.http.errors import json_error, outage_response, refusal_response
from app.http.graphiql import graphiql_page
from app.http.json_body import decode_json
from app.http.multipart import SpoolingRequest

PREFLIGHT_HEADERS = (
    "graphql-preflight",
    "apollo-require-preflight",
    "x-requested-with",
)


def _unsafe_multipart(request: Request) -> bool:
    """A multipart POST is a CORS "simple" request a foreign page can send; demanding a
    custom header forces a preflight (the GraphQL multipart spec's CSRF advice)."""
    is_multipart = request.headers.get("content-type", "").startswith("multipart/")
    return is_multipart and not any(h in request.headers for h in PREFLIGHT_HEADERS)


def _met_outage(result: GraphQLHTTPResponse) -> bool:
    errors = [e for e in result.get("errors") or [] if isinstance(e, dict)]
    return any(
        (error.get("extensions") or {}).get("code") == ErrorCode.SERVICE_UNAVAILABLE
        for error in errors
    )


class MailroomGraphQL(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await Response(status_code=404)(scope, receive, send)
            return
        request = SpoolingRequest(scope, receive)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            await (await self.render_graphql_ide(request))(scope, receive, send)
            return
        if _unsafe_multipart(request):
            refusal = MailroomError(
                "Multipart requests need a preflight header (GraphQL-Preflight: 1).",
                code=ErrorCode.BAD_REQUEST,
            )
            await json_error(refusal, 400)(scope, receive, send)
            return
        try:
            viewer = await authenticated(request)
        except MailroomError as exc:
            await refusal_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["viewer"] = viewer
        try:
            response = await self.run(request)
        except HTTPException as exc:  # no readable document: same JSON error shape
            refusal = MailroomError(exc.reason, code=ErrorCode.BAD_REQUEST)
            response = json_error(refusal, exc.status_code)
        finally:
            await request.close()  # uploaded files, even those no resolver read
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # strawberry's page loads its assets from unpkg.com

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # One field that met an outage (CodedErrors coded it) makes the whole answer
        # a 503: partial data would look like rows that are not there.
        results = response_data if isinstance(response_data, list) else [response_data]
        if any(_met_outage(result) for result in results):
            return outage_response()
        return super().create_response(response_data, sub_response)

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response, viewer=request.state.viewer)
