"""The manual thread operations, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.threads.mutations.mark_thread_read import MarkThreadRead
from app.graphql.threads.mutations.merge_threads import MergeThreads
from app.graphql.threads.mutations.split_thread import SplitThread

ThreadMutations = merge_types(
    "ThreadMutations", (MergeThreads, SplitThread, MarkThreadRead)
)
