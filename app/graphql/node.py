"""`node`, `nodes` and the typed lookups (`email(id:)`...): an object by global id,
or null when it is not the caller's.

Classes are found by type name in the running schema, as Strawberry's relay does,
so this module, and a type pointing up the capability layers (a Document's email),
need not import the capability that defines them.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.types.base import StrawberryObjectDefinition

from app.accounts.models import Role
from app.core import ids
from app.graphql.context import Info
from app.graphql.loaders import Loaders

NODE_LOADERS: dict[str, Callable[[Loaders], DataLoader[Any, Any]]] = {
    "Organization": attrgetter("organizations_by_id"),
    "User": attrgetter("users_by_id"),
    "ApiToken": attrgetter("api_tokens_by_id"),
    "Queue": attrgetter("queues_by_id"),
    "Inbox": attrgetter("inboxes_by_id"),
    "Email": attrgetter("emails_by_id"),
    "EmailThread": attrgetter("email_threads_by_id"),
    "Document": attrgetter("documents_by_id"),
    "Annotation": attrgetter("annotations_by_id"),
    "EmailTemplate": attrgetter("email_templates_by_id"),
    "Task": attrgetter("tasks_by_id"),
    "Webhook": attrgetter("webhooks_by_id"),
    "WebhookDelivery": attrgetter("webhook_deliveries_by_id"),
}
# Types only some roles may see: to anyone else their ids are as not theirs.
NODE_ROLES: dict[str, Role] = {"Webhook": Role.ADMIN, "WebhookDelivery": Role.ADMIN}


def node_class(info: Info, type_name: str) -> Any:
    """The class of an object type, by its GraphQL name."""
    definition = info.schema.get_type_by_name(type_name)
    if not isinstance(definition, StrawberryObjectDefinition):
        raise LookupError(f"{type_name} is not an object type of the schema")
    return definition.origin


async def load_node(info: Info, global_id: str, type_name: str | None = None) -> Any:
    """The object behind a global id (of `type_name`, if given), if the caller's."""
    parts = ids.split(global_id)
    if parts is None or (type_name is not None and parts[0] != type_name):
        return None
    loader = NODE_LOADERS.get(parts[0])
    role = NODE_ROLES.get(parts[0])
    if role is not None and not info.context.has_role(role):
        return None
    pk = ids.parse_pk(*parts) if loader else None
    if loader is None or pk is None:
        return None
    row = await loader(info.context.loaders).load(pk)
    return node_class(info, parts[0]).from_optional(row)


def by_global_id(
    type_name: str, node_type: Any, *, permission_classes: list[type] | None = None
) -> Any:
    """`email(id:)`, `task(id:)`...: one object by global id, null if not yours."""

    async def resolve(info: Info, id: strawberry.ID) -> node_type | None:
        return await load_node(info, id, type_name)

    return strawberry.field(resolver=resolve, permission_classes=permission_classes)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null if not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await load_node(info, id)

    @strawberry.field(
        description="Objects by global id, in order; null where not yours."
    )
    async def nodes(
        self, info: Info, ids: list[strawberry.ID]
    ) -> list[relay.Node | None]:
        return [await load_node(info, i) for i in ids]
