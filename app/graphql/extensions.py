"""Schema extensions: error codes on every error, masking of the unexpected."""

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from app.errors import ErrorCode, MailroomError

log = logging.getLogger("mailroom.graphql")


def _is_expected(error: GraphQLError) -> bool:
    # Without a path the request itself is invalid (syntax, unknown field, variable
    # that does not coerce); only errors raised while resolving fields have a path.
    return (
        error.path is None
        or error.original_error is None
        or isinstance(error.original_error, MailroomError)
    )


class CodedErrors(MaskErrors):
    """Unexpected exceptions become INTERNAL_ERROR with no detail (and are logged);
    invalid documents get BAD_REQUEST; domain errors keep their own code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        log.error(
            "unexpected error in %s", ".".join(map(str, error.path or [])),
            exc_info=error.original_error,
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": ErrorCode.INTERNAL_ERROR.value}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if not error.extensions or "code" not in error.extensions:
                error.extensions = {
                    **(error.extensions or {}),
                    "code": ErrorCode.BAD_REQUEST.value,
                }
        return processed
