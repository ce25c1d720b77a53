"""`node`/`nodes`: any object by global id, or null when it is not the caller's."""

from typing import Any

from app.accounts.models import ApiToken as ApiTokenModel
from app.accounts.models import Organization as OrganizationModel
from app.accounts.models import User as UserModel
from app.core import ids
from app.documents.models import Annotation as AnnotationModel
from app.documents.models import Document as DocumentModel
from app.graphql.context import Info
from app.graphql.types.accounts import ApiToken, Organization, User
from app.graphql.types.documents import Annotation, Document
from app.graphql.types.inboxes import Inbox, Queue
from app.graphql.types.mail import Email, EmailThread
from app.graphql.types.tasks import Task
from app.graphql.types.templates import EmailTemplate
from app.inboxes.models import Inbox as InboxModel
from app.inboxes.models import Queue as QueueModel
from app.mail.models import Email as EmailModel
from app.mail.models import EmailThread as EmailThreadModel
from app.tasks.models import Task as TaskModel
from app.templates.models import EmailTemplate as EmailTemplateModel

NODE_TYPES: dict[str, tuple[Any, Any]] = {
    "Organization": (OrganizationModel, Organization),
    "User": (UserModel, User),
    "ApiToken": (ApiTokenModel, ApiToken),
    "Queue": (QueueModel, Queue),
    "Inbox": (InboxModel, Inbox),
    "Email": (EmailModel, Email),
    "EmailThread": (EmailThreadModel, EmailThread),
    "Document": (DocumentModel, Document),
    "Annotation": (AnnotationModel, Annotation),
    "EmailTemplate": (EmailTemplateModel, EmailTemplate),
    "Task": (TaskModel, Task),
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
    model, gql_type = entry
    row = await info.context.loaders.by_id(model).load(pk)
    return gql_type.from_optional(row)
