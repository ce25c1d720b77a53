"""core.errors.is_outage: which exceptions mean the database or Redis is down."""

import errno
import socket
import sqlite3

import asyncpg
import botocore.exceptions
import pytest
import redis.exceptions
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from app.core.errors import (
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    is_outage,
)


def _raised_from(outer: BaseException, inner: BaseException) -> BaseException:
    """`outer`, raised `from inner`, as Tortoise wraps driver errors."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except BaseException as raised:
        return raised


def _raised_while_handling(outer: BaseException, inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 (the implicit __context__ is the point)
    except BaseException as raised:
        return raised


OUTAGES = [
    ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
    ConnectionResetError(errno.ECONNRESET, "reset by peer"),
    BrokenPipeError(errno.EPIPE, "broken pipe"),
    TimeoutError(),
    socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    OSError(errno.EHOSTUNREACH, "No route to host"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432)"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    asyncpg.exceptions.ConnectionFailureError("connection failure"),
    asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
    asyncpg.exceptions.AdminShutdownError("terminating connection"),
    asyncpg.exceptions.TooManyConnectionsError("too many clients"),
    asyncpg.exceptions.InterfaceError(
        "cannot call Connection.fetch(): connection is closed"
    ),
    asyncpg.exceptions.InterfaceError("pool is closing"),
    asyncpg.exceptions.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    ),
    DBConnectionError("Can't establish connection"),
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379."),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    redis.exceptions.BusyLoadingError("Redis is loading the dataset in memory"),
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("unable to open database file"),
    ServiceUnavailable(),
]

NOT_OUTAGES = [
    ValueError("bad value"),
    KeyError("missing"),
    FileNotFoundError(errno.ENOENT, "No such file"),
    PermissionError(errno.EACCES, "Permission denied"),
    OSError("something else"),
    asyncpg.exceptions.UniqueViolationError("duplicate key"),
    asyncpg.exceptions.UndefinedColumnError("column does not exist"),
    asyncpg.exceptions.DataError("invalid input for query argument"),
    asyncpg.exceptions.InterfaceError(
        "cannot perform operation: another operation is in progress"
    ),
    asyncpg.exceptions.InternalClientError("something else went wrong"),
    IntegrityError("duplicate key"),
    OperationalError("syntax error"),
    redis.exceptions.ResponseError("WRONGTYPE Operation against a key"),
    sqlite3.OperationalError("no such table: email"),
    NotFound("No such email."),
    InvalidInput("Bad."),
]


@pytest.mark.parametrize("exc", OUTAGES, ids=lambda e: f"{type(e).__name__}:{e}")
def test_connection_errors_are_outages(exc):
    assert is_outage(exc)


@pytest.mark.parametrize("exc", NOT_OUTAGES, ids=lambda e: f"{type(e).__name__}:{e}")
def test_bugs_and_callers_mistakes_are_not_outages(exc):
    assert not is_outage(exc)


def test_tortoise_wrapping_a_driver_outage_is_an_outage():
    # Tortoise re-raises driver errors as its own, `from` the original
    wrapped = _raised_from(
        OperationalError("wrapped"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    )
    assert is_outage(wrapped)
    locked = _raised_from(
        OperationalError("locked"), sqlite3.OperationalError("database is locked")
    )
    assert is_outage(locked)


def test_an_error_raised_while_handling_an_outage_is_an_outage():
    error = _raised_while_handling(
        RuntimeError("cleanup failed"), ConnectionRefusedError()
    )
    assert is_outage(error)


def test_a_chain_without_an_outage_is_not_one():
    error = _raised_from(
        OperationalError("wrapped"), asyncpg.exceptions.UniqueViolationError("dup")
    )
    assert not is_outage(error)


def test_exception_groups_are_searched():
    group = ExceptionGroup(
        "tasks", [ValueError("x"), redis.exceptions.ConnectionError("down")]
    )
    assert is_outage(group)
    assert not is_outage(ExceptionGroup("tasks", [ValueError("x")]))


def test_a_domain_error_is_classified_by_its_code_not_its_cause():
    # The domain decided the missing row is NOT_FOUND, whatever happened before
    error = _raised_while_handling(NotFound("No such email."), ConnectionResetError())
    assert not is_outage(error)


def test_a_cyclic_chain_ends():
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert not is_outage(first)


@pytest.mark.parametrize(
    "error",
    [
        botocore.exceptions.EndpointConnectionError(endpoint_url="http://s3.test"),
        botocore.exceptions.ConnectTimeoutError(endpoint_url="http://s3.test"),
        botocore.exceptions.ReadTimeoutError(endpoint_url="http://s3.test"),
    ],
)
def test_an_unreachable_s3_store_is_an_outage(error):
    assert is_outage(error)


def test_an_s3_refusal_is_not_an_outage():
    refused = botocore.exceptions.ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject"
    )
    assert not is_outage(refused)
