"""Error handling in one place: codes on every error, masking of the unexpected
(schema extensions), and mutations' expected failures as InputError data (a field
extension)."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import BREAK, StringValueNode, Visitor, parse, visit
from graphql.error import GraphQLError
from strawberry.extensions import FieldExtension, MaskErrors, SchemaExtension
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

from app.core.errors import (
    ErrorCode,
    InvalidInput,
    ServiceUnavailable,
    is_outage,
)
from app.graphql.common import InputError
from app.graphql.error_log import is_expected

log = logging.getLogger("mailroom.graphql")


class CodedErrors(MaskErrors):
    """Unexpected exceptions become INTERNAL_ERROR with no detail (error_log logs them);
    an outage of the database or Redis SERVICE_UNAVAILABLE (the view answers 503);
    invalid documents get BAD_REQUEST; domain errors keep their own code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and is_outage(original):
            log.warning(
                "service unavailable in %s: %r",
                ".".join(map(str, error.path or [])),
                original,
            )
            unavailable = ServiceUnavailable()
            return GraphQLError(
                unavailable.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=unavailable.extensions,
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


def _nul_path(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Where a U+0000 character is in an argument value, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
        if any("\x00" in k for k, _ in items):
            return path
    elif isinstance(value, list | tuple):
        items = [(str(i), v) for i, v in enumerate(value)]
    for key, item in items:
        if (found := _nul_path(item, (*path, key))) is not None:
            return found
    return None


def _document_has_nul(query: str) -> bool:
    """Whether a string literal of the document holds U+0000 (only an escape can
    put one there: the lexer refuses the raw character)."""
    if "\\u" not in query and "\x00" not in query:
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False  # the request fails as a syntax error, before any field
    found = False

    class _Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
            nonlocal found
            if "\x00" in node.value:
                found = True
                return BREAK
            return None

    visit(document, _Strings())
    return found


def request_has_nul(query: str | None, variables: dict[str, Any] | None) -> bool:
    """U+0000 anywhere in the variables or in the document's literals: checked once
    a request, so that only such a request runs RejectNulCharacters on its fields."""
    return _nul_path(variables or {}) is not None or _document_has_nul(query or "")


class RejectNulCharacters(SchemaExtension):
    """No argument may carry U+0000: PostgreSQL cannot store it in text or JSON, and
    no legitimate value needs it. Mutations answer InputError (every mutation's
    result is a union with it); other fields a BAD_REQUEST error.

    A resolve hook runs on every field (~2,700 on a page of 100 emails), so the
    schema adds it only to requests `request_has_nul` finds one in."""

    def resolve(
        self, _next: Callable, root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        path = _nul_path(kwargs) if kwargs else None
        if path is None:
            return _next(root, info, *args, **kwargs)
        # The field a client would fix: the key inside `input`, else the argument.
        field = path[1] if path[0] == "input" and len(path) > 1 else path[0]
        error = InvalidInput(
            "Text may not contain NUL (U+0000) characters.", field=field
        )
        if info.parent_type.name == "Mutation":
            return InputError.from_exception(error)
        raise error


class AsInputError(FieldExtension):
    """What the caller can fix (InvalidInput: NOT_FOUND, CONFLICT, a bad value)
    comes back as the mutation result's InputError member; any other error, such as
    ACCESS_FORBIDDEN from a permission class, stays a top-level GraphQL error."""

    def apply(self, field: StrawberryField) -> None:
        result = field.type
        if not (isinstance(result, StrawberryUnion) and InputError in result.types):
            raise TypeError(f"{field.python_name} must return a union with InputError")

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Any,
        **kwargs: Any,
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except InvalidInput as exc:
            log.info(
                "input error",
                extra={"fields": {"code": exc.code.value, "field": exc.field}},
            )
            return InputError.from_exception(exc)
