"""Bearer-token authentication shared by /graphql and /content."""

from starlette.requests import HTTPConnection

from app.accounts.service import Viewer, authenticate
from app.core import logs
from app.core.errors import AuthenticationFailed
from app.http.client_ip import client_ip


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def viewer_for(request: HTTPConnection) -> Viewer | None:
    return await authenticate(bearer_token(request))


async def authenticated(request: HTTPConnection) -> Viewer:
    """The caller within its budgets: the address's first, so that guessing tokens
    is throttled, then the token's. Raises RateLimited or AuthenticationFailed."""
    limits = request.app.state.rate_limits
    await limits.check_client(client_ip(request.scope))
    viewer = await viewer_for(request)
    if viewer is None:
        raise AuthenticationFailed(
            "A valid API token is required (Authorization: Bearer)."
        )
    logs.bind(organization_id=viewer.organization_id)
    await limits.check_token(viewer.token_id)
    return viewer
