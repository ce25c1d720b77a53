"""`email`/`emailThread` by id, and the `emails`/`emailThreads` lists.

Query lists every by-id lookup before any list (the published field order), so
each capability with both gives schema.py two pieces: Lookups and Queries.
"""

from datetime import datetime

import strawberry

from app.graphql.context import Info
from app.graphql.mail.filters import (
    EMAIL_ORDERINGS,
    EmailFilter,
    EmailOrder,
    EmailThreadFilter,
)
from app.graphql.mail.types import Email, EmailThread
from app.graphql.node import by_global_id
from app.graphql.pagination import Connection, PageArgs, SortKey, paginate
from app.graphql.prefetch import warmed
from app.mail.filters import filter_emails
from app.mail.models import Email as EmailModel
from app.mail.models import EmailThread as EmailThreadModel


@strawberry.type
class MailLookups:
    email = by_global_id("Email", Email)
    email_thread = by_global_id("EmailThread", EmailThread)


@strawberry.type
class MailQueries:
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
        page = await paginate(
            filter_emails(info.context.organization_id, spec),
            keys=EMAIL_ORDERINGS[order.field],
            descending=order.descending,
            args=PageArgs(first, after, last, before),
            to_node=Email.from_model,
            columns=info.context.loaders.columns.get(EmailModel),
        )
        return await warmed(info, page)

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
        page = await paginate(
            query,
            keys=[SortKey("last_email_created_at", datetime)],
            descending=True,
            args=PageArgs(first, after, last, before),
            to_node=EmailThread.from_model,
            columns=info.context.loaders.columns.get(EmailThreadModel),
        )
        return await warmed(info, page)
