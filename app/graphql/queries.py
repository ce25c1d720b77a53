"""Root Query: one field per collection, all scoped to the caller's organization."""

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from tortoise.models import Model

from app.documents.models import Annotation as AnnotationModel
from app.documents.models import Document as DocumentModel
from app.graphql.context import Info
from app.graphql.filters import (
    AnnotationFilter,
    DocumentFilter,
    EmailFilter,
    EmailOrder,
    EmailThreadFilter,
    InboxFilter,
    TaskFilter,
)
from app.graphql.node import load_node
from app.graphql.ordering import EMAIL_ORDERINGS
from app.graphql.pagination import Connection, PageArgs, SortKey, paginate
from app.graphql.types.accounts import User
from app.graphql.types.documents import Annotation, Document
from app.graphql.types.inboxes import Inbox, Queue
from app.graphql.types.limits import Limits, load_limits
from app.graphql.types.mail import Email, EmailThread
from app.graphql.types.tasks import Task
from app.graphql.types.templates import EmailTemplate
from app.inboxes.models import Inbox as InboxModel
from app.inboxes.models import Queue as QueueModel
from app.mail.filters import filter_emails
from app.mail.models import EmailThread as EmailThreadModel
from app.tasks.models import Task as TaskModel
from app.templates.models import EmailTemplate as EmailTemplateModel

BY_CREATION = [SortKey("created_at", datetime)]


def _by_id(type_name: str, node_type: type) -> Any:
    """`email(id:)`, `task(id:)`...: one object by global id, null if not yours."""

    async def resolve(info: Info, id: strawberry.ID) -> node_type | None:  # type: ignore[valid-type]
        return await load_node(info, id, type_name)

    return strawberry.field(resolver=resolve)


def _newest_first(
    model: type[Model],
    node_type: type,
    filter_type: type | None = None,
    *,
    id_kind: type = int,
) -> Any:
    """A connection over the caller's rows of `model`, newest first, optionally
    with a `filter` argument of `filter_type` (an input with `apply(query)`)."""

    async def page(info: Info, filter: Any, args: PageArgs) -> Connection[Any]:
        query = model.filter(organization_id=info.context.organization_id)
        return await paginate(
            filter.apply(query) if filter is not None else query,
            keys=BY_CREATION,
            descending=True,
            args=args,
            to_node=node_type.from_model,  # type: ignore[attr-defined]
            id_kind=id_kind,
        )

    if filter_type is None:

        async def resolve(
            info: Info,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> Connection[node_type]:  # type: ignore[valid-type]
            return await page(info, None, PageArgs(first, after, last, before))

    else:

        async def resolve(  # type: ignore[misc]
            info: Info,
            filter: filter_type | None = None,  # type: ignore[valid-type]
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> Connection[node_type]:  # type: ignore[valid-type]
            return await page(info, filter, PageArgs(first, after, last, before))

    return strawberry.field(resolver=resolve)


@strawberry.type
class Query:
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

    @strawberry.field(description="The user the token belongs to.")
    def viewer(self, info: Info) -> User:
        return User.from_model(info.context.viewer.user)

    email = _by_id("Email", Email)
    email_thread = _by_id("EmailThread", EmailThread)
    document = _by_id("Document", Document)
    annotation = _by_id("Annotation", Annotation)
    task = _by_id("Task", Task)

    @strawberry.field(description="Emails matching every condition of the filter.")
    async def emails(
        self,
        info: Info,
        filter: EmailFilter | None = None,
        order_by: EmailOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Email]:
        spec = (filter or EmailFilter()).to_spec()
        order = order_by or EmailOrder()
        return await paginate(
            filter_emails(info.context.organization_id, spec),
            keys=EMAIL_ORDERINGS[order.field],
            descending=order.descending,
            args=PageArgs(first, after, last, before),
            to_node=Email.from_model,
        )

    @strawberry.field(description="Threads, most recently active first.")
    async def email_threads(
        self,
        info: Info,
        filter: EmailThreadFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EmailThread]:
        query = (filter or EmailThreadFilter()).apply(
            EmailThreadModel.filter(organization_id=info.context.organization_id)
        )
        return await paginate(
            query,
            keys=[SortKey("last_email_created_at", datetime)],
            descending=True,
            args=PageArgs(first, after, last, before),
            to_node=EmailThread.from_model,
        )

    documents = _newest_first(DocumentModel, Document, DocumentFilter)
    annotations = _newest_first(AnnotationModel, Annotation, AnnotationFilter)
    tasks = _newest_first(TaskModel, Task, TaskFilter, id_kind=uuid.UUID)
    queues = _newest_first(QueueModel, Queue)
    inboxes = _newest_first(InboxModel, Inbox, InboxFilter)
    email_templates = _newest_first(EmailTemplateModel, EmailTemplate)

    @strawberry.field(description="The limits in force for the caller's organization.")
    async def limits(self, info: Info) -> Limits:
        loader = info.context.loaders.organizations_by_id
        org = await loader.load(info.context.organization_id)
        return await load_limits(org)
