"""JSON error bodies for HTTP routes, shaped like GraphQL errors."""

from starlette.responses import JSONResponse

from app.core.errors import MailroomError


def json_error(exc: MailroomError, status: int) -> JSONResponse:
    headers = {}
    if "retryAfter" in exc.extensions:
        headers["Retry-After"] = str(exc.extensions["retryAfter"])
    body = {
        "data": None,
        "errors": [{"message": exc.message, "extensions": exc.extensions}],
    }
    return JSONResponse(body, status_code=status, headers=headers)
