"""Task: the handle a client polls for a slow action."""

import uuid
from datetime import datetime

import strawberry
from strawberry import relay

from app.graphql.accounts.types import User
from app.graphql.common import FromModel
from app.graphql.context import Info
from app.graphql.enums import ErrorCodeEnum, TaskKindEnum, TaskStatusEnum
from app.graphql.mail.types import Email


@strawberry.type
class TaskError:
    code: ErrorCodeEnum  # type: ignore[valid-type]
    message: str


@strawberry.type
class Task(relay.Node, FromModel):
    id: relay.NodeID[uuid.UUID]
    kind: TaskKindEnum  # type: ignore[valid-type]
    status: TaskStatusEnum  # type: ignore[valid-type]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    attempts: int
    error_code: strawberry.Private[str | None]
    error_message: strawberry.Private[str | None]
    email_id: strawberry.Private[int | None]
    creator_id: strawberry.Private[int | None]

    @strawberry.field
    def error(self) -> TaskError | None:
        if self.error_code is None:
            return None
        return TaskError(code=self.error_code, message=self.error_message or "")

    @strawberry.field(description="The email the task created or changed.")
    async def email(self, info: Info) -> Email | None:
        return await Email.load(info.context.loaders.emails_by_id, self.email_id)

    @strawberry.field
    async def creator(self, info: Info) -> User | None:
        return await User.load(info.context.loaders.users_by_id, self.creator_id)
