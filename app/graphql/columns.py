"""Only the columns a query reads: a plan, per wide model, of the columns its GraphQL
type's selected fields need, for the request's page queries and loaders to fetch
with `.values(...)` instead of whole model instances.

Building an Email model instance converts every column (JSON lists, dates, the
headers list): on a 100-email page that was most of the database time, for fields
the query never asked for. The plan is the union over the whole document, so every
object of a type in the request has what any selection of that type reads.

A field reads the attribute of its name when it has no resolver, what its
`reads(...)` metadata names, or a relation's key (prefetch.RELATIONS). Any other
resolver field, or a name that is not a column, makes its type load whole rows:
an unknown field costs speed, never a missing attribute. Only queries are planned;
a mutation's code may read its rows beyond what its payload selects.
"""

from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_abstract_type,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.base import BaseSchema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.graphql import OperationType
from tortoise.models import Model

from app.documents.models import Annotation, Document
from app.graphql.context import Context
from app.graphql.loaders import Plan
from app.graphql.prefetch import RELATIONS
from app.mail.models import Email, EmailThread

# The wide models worth it, by the GraphQL type their rows become.
PLANNED: dict[str, type[Model]] = {
    "Email": Email,
    "EmailThread": EmailThread,
    "Document": Document,
    "Annotation": Annotation,
}

_READS = "mailroom.reads"
_WHOLE = None  # the field's reads are unknown: its type loads whole rows


def reads(*attributes: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: the row attributes this resolver reads (`id` is always read)."""
    return {_READS: attributes}


class PlanColumns(SchemaExtension):
    """Gives a query's loaders and pages the plan of the columns it reads."""

    def on_execute(self) -> Any:
        run = self.execution_context
        context = run.context
        if (
            run.graphql_document is not None
            and isinstance(context, Context)
            and run.operation_type is OperationType.QUERY
        ):
            context.loaders.columns.update(plan(run.schema, run.graphql_document))
        yield


@lru_cache(maxsize=256)  # as many documents as the parse cache keeps
def plan(schema: BaseSchema, document: DocumentNode) -> Plan:
    """The columns each planned model needs for every field `document` selects;
    a model missing from the plan loads whole rows. Not to be changed: cached."""
    selected = _selected_fields(schema._schema, document)  # type: ignore[attr-defined]
    planned: Plan = {}
    for type_name, model in PLANNED.items():
        if type_name not in selected:
            continue
        columns = _columns(schema, type_name, selected[type_name])
        if columns is not None:
            planned[model] = columns
    return planned


def _selected_fields(schema: GraphQLSchema, document: DocumentNode) -> dict[str, set]:
    """The field names selected on each object type, fragments included (an
    interface's field counts for every type implementing it)."""
    type_info = TypeInfo(schema)
    found: dict[str, set[str]] = {}

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            found_in = type_info.get_parent_type()
            if found_in is None:
                return
            parent = get_named_type(found_in)
            names = (
                [t.name for t in schema.get_possible_types(parent)]
                if is_abstract_type(parent)
                else [parent.name]
            )
            for name in names:
                found.setdefault(name, set()).add(node.name.value)

    visit(document, TypeInfoVisitor(type_info, Fields()))
    return found


@cache
def _field_reads(schema: BaseSchema, type_name: str) -> Mapping[str, Any]:
    """GraphQL field name → the attributes it reads (or _WHOLE), per type, once."""
    definition = schema.get_type_by_name(type_name)
    assert isinstance(definition, StrawberryObjectDefinition)
    relations = RELATIONS.get(type_name, {})
    converter = schema.config.name_converter
    out: dict[str, Any] = {}
    for field in definition.fields:
        name = converter.get_graphql_name(field)
        if name == "id":
            out[name] = ("id",)
        elif _READS in (field.metadata or {}):
            out[name] = field.metadata[_READS]
        elif field.base_resolver is None:
            out[name] = (field.python_name,)
        elif name in relations:
            out[name] = (relations[name].key,)
        else:
            out[name] = _WHOLE
    return out


def _columns(
    schema: BaseSchema, type_name: str, fields: Iterable[str]
) -> tuple[str, ...] | None:
    known = _field_reads(schema, type_name)  # type: ignore[arg-type]  # by identity
    model_columns = PLANNED[type_name]._meta.fields_db_projection
    columns = {"id"}
    for field in fields:
        if field == "__typename":
            continue
        attributes = known.get(field, _WHOLE)
        if attributes is _WHOLE or not set(attributes) <= model_columns.keys():
            return None
        columns.update(attributes)
    return tuple(sorted(columns))
