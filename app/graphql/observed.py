"""Each GraphQL operation's name on its log lines, and its count and latency.

Logs carry the operation's own name (`query Inbox` -> `operation: Inbox`, or the
request's operationName), a client's word but a sane token. Metrics are labelled
with the root field instead (`emails`, `importEmail`): a name from the schema, so a
client cannot grow the label set; a document that did not validate is `(invalid)`.
"""

import time
from collections.abc import Iterator

from graphql import FieldNode, OperationDefinitionNode
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from app.core import logs
from app.core.errors import is_outage
from app.core.metrics import OPERATION_SECONDS, OPERATIONS
from app.graphql.error_log import is_expected

INVALID = "(invalid)"


class ObservedOperation(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        # Bound here so that the error lines of this operation name it too.
        if self.execution_context.graphql_document is not None:
            name = self.execution_context.operation_name
            if name is not None and logs.is_sane_token(name):
                logs.bind(operation=name)

    def on_operation(self) -> Iterator[None]:
        start = time.perf_counter()
        yield
        context = self.execution_context
        field = INVALID if context.pre_execution_errors else _root_field(context)
        result = context.result
        outcome = _outcome(list(result.errors or []) if result else [])
        if context.pre_execution_errors:
            outcome = "client_error"
        OPERATIONS.labels(field, outcome).inc()
        OPERATION_SECONDS.labels(field).observe(time.perf_counter() - start)
        logs.bind(graphql_field=field, outcome=outcome)


def _root_field(context: ExecutionContext) -> str:
    document = context.graphql_document
    if document is None:
        return INVALID
    name = context.operation_name
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if name is not None and (
            definition.name is None or definition.name.value != name
        ):
            continue
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode):
                return selection.name.value
    return INVALID


def _outcome(errors: list[GraphQLError]) -> str:
    if any(
        e.original_error is not None and is_outage(e.original_error) for e in errors
    ):
        return "unavailable"
    if any(not is_expected(e) for e in errors):
        return "error"
    return "client_error" if errors else "ok"
