"""Selection look-ahead for a page of nodes: warm the request's loaders for every
relation the query selects under the page, level by level, before the fields resolve.

A relation field then finds its rows already loaded and answers synchronously
(`FromModel.now`), so graphql-core runs no coroutine and schedules no task for it:
on a 100-email page that is ~700 tasks fewer. The SQL is the same as without the
look-ahead (one batched query a relation, whatever the page size); it only runs
before the resolvers instead of from inside them.

RELATIONS names, per GraphQL type, the fields that read through a loader: the
loader's name in `Loaders`, the attribute of the node that is its key, and the
GraphQL type of what it loads (to look further down), if it is a node type.
"""

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry import Info as StrawberryInfo
from strawberry.dataloader import DataLoader
from strawberry.schema.base import BaseSchema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import FragmentSpread, InlineFragment, Selection

from app.graphql.common import ready
from app.graphql.context import Info
from app.graphql.pagination import Connection, NodeT
from app.graphql.rows import column


@dataclass(frozen=True)
class Relation:
    loader: str
    key: str
    child: str | None = None


RELATIONS: dict[str, dict[str, Relation]] = {
    "Email": {
        "queue": Relation("queues_by_id", "queue_id", "Queue"),
        "inbox": Relation("inboxes_by_id", "inbox_id", "Inbox"),
        "parent": Relation("emails_by_id", "parent_id", "Email"),
        "emailThread": Relation(
            "email_threads_by_id", "email_thread_id", "EmailThread"
        ),
        "children": Relation("emails_by_parent", "id", "Email"),
        "documents": Relation("documents_by_email", "id", "Document"),
        "annotations": Relation("annotations_by_email", "id", "Annotation"),
        "relatedAnnotations": Relation(
            "related_annotations_by_email", "id", "Annotation"
        ),
        "relatedDocuments": Relation("related_documents_by_email", "id", "Document"),
        "annotationCounts": Relation("annotation_counts_by_email", "id"),
        "labels": Relation("labels_by_email", "id"),
        "linkedObjects": Relation("linked_objects_by_email", "id"),
        "creator": Relation("users_by_id", "creator_id", "User"),
        "dismissedBy": Relation("users_by_id", "dismissed_by_id", "User"),
    },
    "EmailThread": {
        "queue": Relation("queues_by_id", "queue_id", "Queue"),
        "rootEmail": Relation("emails_by_id", "root_email_id", "Email"),
        "labels": Relation("labels_by_thread", "id"),
        "annotationCounts": Relation("annotation_counts_by_thread", "id"),
    },
    "Document": {
        "email": Relation("emails_by_id", "email_id", "Email"),
        "annotations": Relation("annotations_by_document", "id", "Annotation"),
    },
    "Annotation": {
        "document": Relation("documents_by_id", "document_id", "Document"),
        "queue": Relation("queues_by_id", "queue_id", "Queue"),
        "email": Relation("emails_by_id", "email_id", "Email"),
        "emailThread": Relation(
            "email_threads_by_id", "email_thread_id", "EmailThread"
        ),
        "assignee": Relation("users_by_id", "assignee_id", "User"),
    },
}


async def warmed(info: Info, page: Connection[NodeT]) -> Connection[NodeT]:
    """The page, with the loaders of what its nodes' selection asks for filled."""
    nodes = [edge.node for edge in page.edges]
    if nodes:
        type_name = type(nodes[0]).__strawberry_definition__.name  # type: ignore[attr-defined]
        await _warm(info, type_name, nodes, _node_selections(info.selected_fields))
    return page


def _node_selections(fields: Sequence[Selection]) -> list[Selection]:
    """What is selected on the nodes: under `edges { node }` and under `nodes`."""
    found: list[Selection] = []
    for connection in _flat(fields):
        for field in _flat(connection.selections):
            if field.name == "nodes":
                found += field.selections
            elif field.name == "edges":
                found += [
                    s
                    for edge_field in _flat(field.selections)
                    if edge_field.name == "node"
                    for s in edge_field.selections
                ]
    return found


def _flat(selections: Iterable[Selection]) -> Iterable[Any]:
    """Fields, with fragments opened whatever their type condition: the look-ahead
    may load a relation that does not resolve, never miss one that does."""
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            yield from _flat(selection.selections)
        else:
            yield selection


async def _warm(
    info: Info, type_name: str, parents: list[Any], selections: list[Selection]
) -> None:
    """Level by level: the keys every branch of a level asks of a loader go to it as
    one batch (an email's parent and a document's email share one query), the same
    on every run; the rows are primed into the loader for the fields to find."""
    level: list[tuple[str, list[Any], list[Selection]]] = [
        (type_name, parents, selections)
    ]
    loaders = info.context.loaders
    while level:
        asked: list[tuple[Relation, list[Selection], list[Any]]] = []
        missing: dict[str, dict[Any, None]] = {}
        for name, rows, selected in level:
            for relation, below in _wanted(name, selected).items():
                keys = list(
                    dict.fromkeys(
                        key
                        for r in rows
                        if (key := column(r, relation.key)) is not None
                    )
                )
                asked.append((relation, below, keys))
                cached = getattr(loaders, relation.loader).cache_map
                missing.setdefault(relation.loader, {}).update(
                    (key, None) for key in keys if cached.get(key) is None
                )
        await asyncio.gather(
            *(
                _prime(getattr(loaders, name), list(keys))
                for name, keys in missing.items()
            )
        )
        level = []
        for relation, below, keys in asked:
            if relation.child is None or not below:
                continue
            loader = getattr(loaders, relation.loader)
            children = [
                row
                for key in keys
                if (done := ready(loader, key)) is not None
                for row in _as_list(done.result())
                if row is not None
            ]
            if children:
                level.append((relation.child, children, below))


async def _prime(loader: DataLoader, keys: list[Any]) -> None:
    """One call of the loader's batch function for `keys`, its rows primed into the
    loader. On a failure nothing is primed: each field then loads for itself and
    reports the error where it belongs."""
    if not keys:
        return
    try:
        values = await loader.load_fn(keys)
    except Exception:  # noqa: BLE001 - the fields' own loads report it
        return
    loader.prime_many(dict(zip(keys, values, strict=True)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wanted(
    type_name: str, selections: list[Selection]
) -> dict[Relation, list[Selection]]:
    """The relations of `type_name` the selection names, with what is selected
    below each (the same field under two aliases is loaded once, for both)."""
    relations = RELATIONS.get(type_name, {})
    wanted: dict[Relation, list[Selection]] = {}
    for field in _flat(selections):
        relation = relations.get(field.name)
        if relation is not None:
            wanted.setdefault(relation, []).extend(field.selections)
    return wanted


def answer_relations_directly(schema: BaseSchema) -> None:
    """The fields of RELATIONS run their resolver straight from graphql-core.

    They take no arguments and have no permission classes or field extensions, so
    Strawberry's path around a resolver (argument conversion, the extension chain)
    does nothing for them, at ~800 such fields on a page of 100 emails. The
    resolver still gets a Strawberry Info, and schema extensions still wrap it."""
    converter = schema.config.name_converter
    for type_name, relations in RELATIONS.items():
        definition = schema.get_type_by_name(type_name)
        assert isinstance(definition, StrawberryObjectDefinition), type_name
        fields = schema._schema.type_map[type_name].fields  # type: ignore[attr-defined]
        for field in definition.fields:
            name = converter.get_graphql_name(field)
            if name in relations:
                fields[name].resolve = _direct(field)


def _direct(field: StrawberryField) -> Any:
    resolver = field.base_resolver
    assert resolver is not None and not field.arguments, field.python_name
    assert not field.permission_classes and not field.extensions, field.python_name
    function: Any = resolver.wrapped_func  # the plain `def name(self, info)`

    def resolve(source: Any, info: Any) -> Any:
        return function(source, StrawberryInfo(_raw_info=info, _field=field))

    return resolve
