"""Error codes of the API and the exceptions that carry them out of the domain."""

import errno
import socket
import sqlite3
from enum import StrEnum

import asyncpg
import botocore.exceptions
import redis.exceptions

# Retry-After of a SERVICE_UNAVAILABLE answer: about how long a restart takes.
OUTAGE_RETRY_AFTER_SECONDS = 5


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


class ServiceUnavailable(MailroomError):
    """The database or Redis does not answer: the client may retry shortly."""

    code = ErrorCode.SERVICE_UNAVAILABLE

    def __init__(self, retry_after: int = OUTAGE_RETRY_AFTER_SECONDS) -> None:
        super().__init__("The service is temporarily unavailable; retry shortly.")
        self.retry_after = retry_after


# What an outage of PostgreSQL, SQLite or Redis looks like; see is_outage.
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ENOTCONN,
        errno.EADDRNOTAVAIL,
    }
)
_OUTAGE_TYPES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe; tortoise DBConnectionError
    TimeoutError,  # asyncio.TimeoutError too
    socket.gaierror,
    asyncpg.exceptions.PostgresConnectionError,  # class 08: connection lost, refused
    asyncpg.exceptions.CannotConnectNowError,  # starting up, shutting down
    asyncpg.exceptions.AdminShutdownError,  # stopped while connected
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    redis.exceptions.ConnectionError,  # includes BusyLoadingError
    redis.exceptions.TimeoutError,
    # The S3 blob store unreachable: endpoint refused or timed out, connection lost.
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)
_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")


def _is_outage_itself(exc: BaseException) -> bool:
    if isinstance(exc, _OUTAGE_TYPES):
        return True
    if isinstance(exc, asyncpg.exceptions.InterfaceError):
        # "connection is closed", "pool is closing"; not misuse such as DataError
        message = str(exc).lower()
        return not isinstance(exc, ValueError) and (
            "closed" in message or "closing" in message or "connection" in message
        )
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # a query on a connection still consuming the server's FATAL error: the
        # server went away in the middle of it (seen while PostgreSQL stops)
        return "cannot switch to state" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return any(text in str(exc).lower() for text in _SQLITE_OUTAGES)
    if isinstance(exc, OSError):  # a connect to several addresses: errno None
        return exc.errno in _NETWORK_ERRNOS or (
            exc.errno is None and "connect call failed" in str(exc).lower()
        )
    return False


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` means PostgreSQL, SQLite or Redis is unreachable (not a bug, not
    the caller's mistake): the one place that decides, for every route. Follows
    `__cause__` and `__context__` (Tortoise wraps driver errors) and exception
    groups. A MailroomError is what the domain decided it is, by its code."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, MailroomError):
            if current.code is ErrorCode.SERVICE_UNAVAILABLE:
                return True
            continue
        if _is_outage_itself(current):
            return True
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e)
    return False
