"""JSON error bodies for HTTP routes, shaped like GraphQL errors."""

from starlette.responses import JSONResponse

from app.core.errors import ErrorCode, MailroomError, ServiceUnavailable


def json_error(exc: MailroomError, status: int) -> JSONResponse:
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {
        "data": None,
        "errors": [{"message": exc.message, "extensions": exc.extensions}],
    }
    return JSONResponse(body, status_code=status, headers=headers)


# The HTTP status of a refusal before any GraphQL runs.
_STATUS = {
    ErrorCode.AUTHENTICATION_FAILED: 401,
    ErrorCode.ACCESS_FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
}


def refusal_response(exc: MailroomError) -> JSONResponse:
    return json_error(exc, _STATUS.get(exc.code, 400))


def outage_response() -> JSONResponse:
    """503 SERVICE_UNAVAILABLE with Retry-After: the database or Redis is down."""
    return json_error(ServiceUnavailable(), 503)


def internal_error_response() -> JSONResponse:
    failure = MailroomError("Internal server error.", code=ErrorCode.INTERNAL_ERROR)
    return json_error(failure, 500)
