"""`node`/`nodes`: any object by global id, or null when it is not the caller's."""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from strawberry.dataloader import DataLoader

from app.core import ids
from app.graphql.context import Info
from app.graphql.loaders import Loaders
from app.graphql.types.accounts import ApiToken, Organization, User
from app.graphql.types.documents import Annotation, Document
from app.graphql.types.inboxes import Inbox, Queue
from app.graphql.types.mail import Email, EmailThread
from app.graphql.types.tasks import Task
from app.graphql.types.templates import EmailTemplate

NODE_TYPES: dict[str, tuple[Callable[[Loaders], DataLoader[Any, Any]], Any]] = {
    "Organization": (attrgetter("organizations_by_id"), Organization),
    "User": (attrgetter("users_by_id"), User),
    "ApiToken": (attrgetter("api_tokens_by_id"), ApiToken),
    "Queue": (attrgetter("queues_by_id"), Queue),
    "Inbox": (attrgetter("inboxes_by_id"), Inbox),
    "Email": (attrgetter("emails_by_id"), Email),
    "EmailThread": (attrgetter("email_threads_by_id"), EmailThread),
    "Document": (attrgetter("documents_by_id"), Document),
    "Annotation": (attrgetter("annotations_by_id"), Annotation),
    "EmailTemplate": (attrgetter("email_templates_by_id"), EmailTemplate),
    "Task": (attrgetter("tasks_by_id"), Task),
}


async def load_node(info: Info, global_id: str, type_name: str | None = None) -> Any:
    """The object behind a global id (of `type_name`, if given), if the caller's."""
    parts = ids.split(global_id)
    if parts is None or (type_name is not None and parts[0] != type_name):
        return None
    entry = NODE_TYPES.get(parts[0])
    pk = ids.parse_pk(*parts) if entry else None
    if entry is None or pk is None:
        return None
    loader, gql_type = entry
    row = await loader(info.context.loaders).load(pk)
    return gql_type.from_optional(row)
