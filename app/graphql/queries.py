"""Root Query: one field per collection, all scoped to the caller's organization."""

import uuid
from datetime import datetime

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from app.accounts.models import Organization as OrganizationModel
from app.documents.models import Annotation as AnnotationModel
from app.documents.models import Document as DocumentModel
from app.graphql import ids
from app.graphql.context import Info
from app.graphql.filters import (
    AnnotationFilter,
    DocumentFilter,
    EmailFilter,
    EmailOrder,
    EmailThreadFilter,
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
from app.mail.models import EmailTemplate as EmailTemplateModel
from app.mail.models import EmailThread as EmailThreadModel
from app.tasks.models import Task as TaskModel

BY_CREATION = [SortKey("created_at", datetime)]


async def _newest_first(
    query: QuerySet, to_node, args: PageArgs, id_kind: type = int
) -> Connection:
    return await paginate(
        query,
        keys=BY_CREATION,
        descending=True,
        args=args,
        to_node=to_node,
        id_kind=id_kind,
    )


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

    @strawberry.field
    async def email(self, info: Info, id: strawberry.ID) -> Email | None:
        return await load_node(info, id, "Email")

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

    @strawberry.field
    async def email_thread(self, info: Info, id: strawberry.ID) -> EmailThread | None:
        return await load_node(info, id, "EmailThread")

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

    @strawberry.field
    async def document(self, info: Info, id: strawberry.ID) -> Document | None:
        return await load_node(info, id, "Document")

    @strawberry.field
    async def documents(
        self,
        info: Info,
        filter: DocumentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Document]:
        query = (filter or DocumentFilter()).apply(
            DocumentModel.filter(organization_id=info.context.organization_id)
        )
        return await _newest_first(
            query, Document.from_model, PageArgs(first, after, last, before)
        )

    @strawberry.field
    async def annotation(self, info: Info, id: strawberry.ID) -> Annotation | None:
        return await load_node(info, id, "Annotation")

    @strawberry.field
    async def annotations(
        self,
        info: Info,
        filter: AnnotationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotation]:
        query = (filter or AnnotationFilter()).apply(
            AnnotationModel.filter(organization_id=info.context.organization_id)
        )
        return await _newest_first(
            query, Annotation.from_model, PageArgs(first, after, last, before)
        )

    @strawberry.field
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        return await load_node(info, id, "Task")

    @strawberry.field
    async def tasks(
        self,
        info: Info,
        filter: TaskFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Task]:
        query = (filter or TaskFilter()).apply(
            TaskModel.filter(organization_id=info.context.organization_id)
        )
        return await _newest_first(
            query, Task.from_model, PageArgs(first, after, last, before), uuid.UUID
        )

    @strawberry.field
    async def queues(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Queue]:
        query = QueueModel.filter(organization_id=info.context.organization_id)
        return await _newest_first(
            query, Queue.from_model, PageArgs(first, after, last, before)
        )

    @strawberry.field
    async def inboxes(
        self,
        info: Info,
        queue: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Inbox]:
        query = InboxModel.filter(organization_id=info.context.organization_id)
        if queue is not None:
            query = query.filter(queue_id__in=ids.decode_many([queue], "Queue"))
        return await _newest_first(
            query, Inbox.from_model, PageArgs(first, after, last, before)
        )

    @strawberry.field
    async def email_templates(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EmailTemplate]:
        query = EmailTemplateModel.filter(organization_id=info.context.organization_id)
        return await _newest_first(
            query, EmailTemplate.from_model, PageArgs(first, after, last, before)
        )

    @strawberry.field(description="The limits in force for the caller's organization.")
    async def limits(self, info: Info) -> Limits:
        org = await info.context.loaders.by_id(OrganizationModel).load(
            info.context.organization_id
        )
        return await load_limits(org)
