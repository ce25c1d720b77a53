"""updateUser (ADMIN): a user's username or full name (null leaves a value)."""

from typing import Annotated

import strawberry

from app.accounts import service as accounts
from app.graphql.accounts.types import User
from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    username: str | None = strawberry.field(
        default=None, description="Unique in the organization; {{ user_name }}."
    )
    full_name: str | None = None


UpdateUserResult = Annotated[User | InputError, strawberry.union("UpdateUserResult")]


@strawberry.type
class UpdateUser:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def update_user(self, info: Info, input: UpdateUserInput) -> UpdateUserResult:
        row = await accounts.update_user(
            organization_id=info.context.organization_id,
            user_id=decode_or_not_found(input.id, "User", field="id"),
            username=input.username,
            full_name=input.full_name,
        )
        return User.from_model(row)
