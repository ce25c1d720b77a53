"""The result both triage jobs return: the Task to poll."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.tasks.types import Task

TaskResult = Annotated[Task | InputError, strawberry.union("TaskResult")]
