"""One log line per GraphQL error, by whose mistake it is.

A client's mistake (an invalid document, a variable that does not coerce, a
domain refusal such as ACCESS_FORBIDDEN) is INFO: its code and where, no traceback,
and never its message, which can quote the query's literals or the variables. An
unexpected failure (masked as INTERNAL_ERROR for the client) is ERROR with its
traceback; the record carries the request id (core.logs). Outages are CodedErrors'
one warning line.
"""

import logging

from graphql.error import GraphQLError

from app.core.errors import ErrorCode, MailroomError, is_outage

log = logging.getLogger("mailroom.graphql")


def is_expected(error: GraphQLError) -> bool:
    """Without a path the request itself is invalid (syntax, unknown field, variable
    that does not coerce); only errors raised while resolving fields have a path."""
    return (
        error.path is None
        or error.original_error is None
        or isinstance(error.original_error, MailroomError)
    )


def _where(error: GraphQLError) -> str:
    return ".".join(map(str, error.path or [])) or "(document)"


def log_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        original = error.original_error
        if original is not None and is_outage(original):
            continue
        if is_expected(error):
            code = (error.extensions or {}).get("code") or getattr(
                original, "code", ErrorCode.BAD_REQUEST
            )
            log.info(
                "client error",
                extra={"fields": {"code": str(code), "where": _where(error)}},
            )
        else:
            log.error("unexpected error in %s", _where(error), exc_info=original)
