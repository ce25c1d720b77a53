"""`task` by id and the `tasks` list: what a client polls after a slow mutation."""

import uuid

import strawberry
from tortoise.queryset import QuerySet

from app.graphql.enums import TaskKindEnum, TaskStatusEnum
from app.graphql.listing import newest_first
from app.graphql.node import by_global_id
from app.graphql.tasks.types import Task
from app.tasks.models import Task as TaskModel


@strawberry.input
class TaskFilter:
    kind: list[TaskKindEnum] | None = None  # type: ignore[valid-type]
    status: list[TaskStatusEnum] | None = None  # type: ignore[valid-type]

    def apply(self, query: QuerySet) -> QuerySet:
        if self.kind is not None:
            query = query.filter(kind__in=self.kind)
        if self.status is not None:
            query = query.filter(status__in=self.status)
        return query


@strawberry.type
class TaskLookups:
    task = by_global_id("Task", Task)


@strawberry.type
class TaskQueries:
    tasks = newest_first(TaskModel, Task, TaskFilter, id_kind=uuid.UUID)
