"""Error codes of the API and the exceptions that carry them out of the domain."""

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    ACCESS_FORBIDDEN = "ACCESS_FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # A send interrupted mid-SMTP: the receiver may have the message ("maybe sent",
    # unlike a refusal); never retried by itself, resendEmail decides.
    DELIVERY_UNCERTAIN = "DELIVERY_UNCERTAIN"


class MailroomError(Exception):
    """An expected failure: shown to the client with its code, never masked."""

    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def extensions(self) -> dict[str, object]:
        """Read by graphql-core: the error's `extensions` in the response."""
        return {"code": self.code.value}


class InvalidInput(MailroomError):
    """Something the caller can fix in its input; mutations return it as InputError."""

    def __init__(
        self, message: str, *, field: str | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.field = field


class NotFound(InvalidInput):
    code = ErrorCode.NOT_FOUND


class Conflict(InvalidInput):
    code = ErrorCode.CONFLICT


class AuthenticationFailed(MailroomError):
    code = ErrorCode.AUTHENTICATION_FAILED


class AccessForbidden(MailroomError):
    code = ErrorCode.ACCESS_FORBIDDEN


class RateLimited(MailroomError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry after {retry_after} s.")
        self.retry_after = retry_after

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code.value, "retryAfter": self.retry_after}
