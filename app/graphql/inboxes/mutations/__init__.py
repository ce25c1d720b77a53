"""ADMIN mutations on queues and inboxes, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.inboxes.mutations.create_inbox import CreateInbox
from app.graphql.inboxes.mutations.create_queue import CreateQueue
from app.graphql.inboxes.mutations.update_inbox import UpdateInbox
from app.graphql.inboxes.mutations.update_queue import UpdateQueue

InboxMutations = merge_types(
    "InboxMutations", (CreateQueue, UpdateQueue, CreateInbox, UpdateInbox)
)
