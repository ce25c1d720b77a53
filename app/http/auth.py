"""Bearer-token authentication shared by /graphql and /content."""

from starlette.requests import HTTPConnection

from app.accounts.service import Viewer, authenticate


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def viewer_for(request: HTTPConnection) -> Viewer | None:
    return await authenticate(bearer_token(request))
