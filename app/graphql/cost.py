"""The query cost budget: a document that would fan out into too many rows is refused
before it runs, however shallow it is.

Each field costs 1. A connection (a field taking `first`/`last`) costs its page size
times the cost of its selection; an object's small relations (plain lists such as
`documents` or `children`) count as LIST_SIZE items. Nested lists multiply.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    ValidationContext,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from app.core.errors import ErrorCode

# What a plain list (an email's documents, a document's annotations) is assumed to
# hold: its size is the data's, not the client's, but nesting them still multiplies.
LIST_SIZE = 5
PAGE_ARGUMENTS = ("first", "last")


class _Costing:
    """The cost of one operation, with its variables and fragments at hand."""

    def __init__(
        self,
        context: ValidationContext,
        variables: Mapping[str, Any],
        default_page_size: int,
    ) -> None:
        self.context = context
        self.variables = variables
        self.default_page_size = default_page_size

    def selection_set(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        fragments: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, fragments)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self._type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, on, fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in fragments:  # NoFragmentCycles reports
                    continue
                on = self._type(fragment.type_condition.name.value)
                total += self.selection_set(
                    fragment.selection_set, on, fragments | {name}
                )
        return total

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        fragments: frozenset[str],
    ) -> int:
        name = node.name.value
        definition = _field_def(parent, name)
        if name.startswith("__") or definition is None:
            return 1  # introspection is bounded by the schema; unknown fields fail
        child = get_named_type(definition.type)
        inner = self.selection_set(node.selection_set, child, fragments)
        return 1 + self._multiplier(node, definition, parent) * inner

    def _multiplier(
        self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType | None
    ) -> int:
        if any(arg in definition.args for arg in PAGE_ARGUMENTS):
            return self._page_size(node)
        if not _is_list(definition.type) or node.selection_set is None:
            return 1
        if parent is not None and parent.name.endswith("Connection"):
            return 1  # `edges` and `nodes`: the page the connection already counted
        return LIST_SIZE

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(given, 0)
            elif isinstance(value, IntValueNode):
                return max(int(value.value), 0)
        return self.default_page_size

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.context.schema.get_type(name)


def _field_def(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _operations(context: ValidationContext) -> Iterator[OperationDefinitionNode]:
    for definition in context.document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition


def operation_cost(
    context: ValidationContext,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    default_page_size: int,
) -> int:
    root = context.schema.get_root_type(operation.operation)
    costing = _Costing(context, variables, default_page_size)
    return costing.selection_set(operation.selection_set, root)


class QueryCostLimiter(SchemaExtension):
    """Refuses a valid document over the budget. It needs the request's variables,
    so it is no validation rule: those are cached per document (ValidationCache,
    placed before this extension), and the cost is counted for each request."""

    def __init__(self, *, max_cost: int, default_page_size: int) -> None:
        self.max_cost = max_cost
        self.default_page_size = default_page_size

    def on_validate(self) -> Iterator[None]:
        run = self.execution_context
        if not run.pre_execution_errors and run.graphql_document is not None:
            schema = run.schema._schema
            context = ValidationContext(
                schema, run.graphql_document, TypeInfo(schema), _no_errors
            )
            variables = run.variables or {}
            for operation in _operations(context):
                cost = operation_cost(
                    context, operation, variables, self.default_page_size
                )
                if cost > self.max_cost:
                    run.pre_execution_errors = [
                        *(run.pre_execution_errors or []),
                        GraphQLError(
                            f"The query costs {cost}; the limit is {self.max_cost}"
                            " (connections multiply by their first/last).",
                            operation,
                            extensions={"code": ErrorCode.BAD_REQUEST.value},
                        ),
                    ]
        yield


def _no_errors(error: GraphQLError) -> None:
    """Counting reports nothing: validation has reported what is wrong."""
