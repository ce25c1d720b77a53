"""`queues` and `inboxes`: the organization's intake setup, newest first."""

import strawberry
from tortoise.queryset import QuerySet

from app.graphql.inboxes.types import Inbox, Queue
from app.graphql.listing import newest_first, with_id
from app.inboxes.models import Inbox as InboxModel
from app.inboxes.models import Queue as QueueModel


@strawberry.input
class InboxFilter:
    queue: strawberry.ID | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        return with_id(query, "queue_id", self.queue, "Queue")


@strawberry.type
class InboxQueries:
    queues = newest_first(QueueModel, Queue)
    inboxes = newest_first(InboxModel, Inbox, InboxFilter)
