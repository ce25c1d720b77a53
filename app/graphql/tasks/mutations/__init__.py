"""Tasks a client may act on before a worker does."""

from strawberry.tools import merge_types

from app.graphql.tasks.mutations.cancel_task import CancelTask

TaskMutations = merge_types("TaskMutations", (CancelTask,))
