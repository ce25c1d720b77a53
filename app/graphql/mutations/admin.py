"""ADMIN mutations: queues, inboxes, users and API tokens."""

from typing import Annotated

import strawberry

from app.accounts import service as accounts
from app.accounts.models import ApiToken as ApiTokenModel
from app.accounts.models import Role
from app.accounts.models import User as UserModel
from app.core.errors import NotFound
from app.core.ids import decode_or_not_found
from app.graphql.context import Info
from app.graphql.enums import RoleEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAdmin
from app.graphql.types.accounts import ApiToken, User
from app.graphql.types.common import InputError
from app.graphql.types.inboxes import Inbox, Queue
from app.inboxes import service as inboxes


@strawberry.input
class CreateQueueInput:
    name: str


@strawberry.input
class UpdateQueueInput:
    id: strawberry.ID
    name: str | None = None


@strawberry.input
class InboxSettingsInput:
    name: str | None = None
    accepted_mime_types: list[str] | None = None
    min_image_bytes: int | None = None
    reject_without_documents: bool | None = None
    allowed_sender_patterns: list[str] | None = None

    def values(self) -> dict:
        return {
            "name": self.name,
            "accepted_mime_types": self.accepted_mime_types,
            "min_image_bytes": self.min_image_bytes,
            "reject_without_documents": self.reject_without_documents,
            "allowed_sender_patterns": self.allowed_sender_patterns,
        }


@strawberry.input
class CreateInboxInput(InboxSettingsInput):
    queue: strawberry.ID
    email: str


@strawberry.input
class UpdateInboxInput(InboxSettingsInput):
    id: strawberry.ID
    queue: strawberry.ID | None = None


@strawberry.input
class CreateUserInput:
    email: str
    full_name: str = ""
    role: RoleEnum = Role.VIEWER  # type: ignore[valid-type]


@strawberry.input
class CreateApiTokenInput:
    user: strawberry.ID
    name: str = ""


@strawberry.type
class CreateApiTokenPayload:
    token: str = strawberry.field(description="Shown once; only its hash is stored.")
    api_token: ApiToken


QueueResult = Annotated[Queue | InputError, strawberry.union("QueueResult")]
InboxResult = Annotated[Inbox | InputError, strawberry.union("InboxResult")]
CreateUserResult = Annotated[User | InputError, strawberry.union("CreateUserResult")]
CreateApiTokenResult = Annotated[
    CreateApiTokenPayload | InputError, strawberry.union("CreateApiTokenResult")
]
RevokeApiTokenResult = Annotated[
    ApiToken | InputError, strawberry.union("RevokeApiTokenResult")
]


@strawberry.type
class AdminMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_queue(self, info: Info, input: CreateQueueInput) -> QueueResult:
        row = await inboxes.create_queue(
            organization_id=info.context.organization_id, name=input.name
        )
        return Queue.from_model(row)

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_queue(self, info: Info, input: UpdateQueueInput) -> QueueResult:
        row = await inboxes.update_queue(
            organization_id=info.context.organization_id,
            queue_id=decode_or_not_found(input.id, "Queue", field="id"),
            name=input.name,
        )
        return Queue.from_model(row)

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_inbox(self, info: Info, input: CreateInboxInput) -> InboxResult:
        row = await inboxes.create_inbox(
            organization_id=info.context.organization_id,
            queue_id=decode_or_not_found(input.queue, "Queue", field="queue"),
            email=input.email,
            **input.values(),
        )
        return Inbox.from_model(row)

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_inbox(self, info: Info, input: UpdateInboxInput) -> InboxResult:
        queue_id = (
            None
            if input.queue is None
            else decode_or_not_found(input.queue, "Queue", field="queue")
        )
        row = await inboxes.update_inbox(
            organization_id=info.context.organization_id,
            inbox_id=decode_or_not_found(input.id, "Inbox", field="id"),
            queue_id=queue_id,
            **input.values(),
        )
        return Inbox.from_model(row)

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserResult:
        row = await accounts.create_user(
            organization_id=info.context.organization_id,
            email=input.email,
            full_name=input.full_name,
            role=input.role,
        )
        return User.from_model(row)

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenResult:
        user_id = decode_or_not_found(input.user, "User", field="user")
        user = await UserModel.get_or_none(
            id=user_id, organization_id=info.context.organization_id
        )
        if user is None:
            raise NotFound("No such user.", field="user")
        row, token = await accounts.create_token(user=user, name=input.name)
        return CreateApiTokenPayload(token=token, api_token=ApiToken.from_model(row))

    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def revoke_api_token(
        self, info: Info, id: strawberry.ID
    ) -> RevokeApiTokenResult:
        row: ApiTokenModel = await accounts.revoke_token(
            token_id=decode_or_not_found(id, "ApiToken", field="id"),
            organization_id=info.context.organization_id,
        )
        return ApiToken.from_model(row)
