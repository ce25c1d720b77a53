"""createUser: a user of the caller's organization (it gets no token yet)."""

from typing import Annotated

import strawberry

from app.accounts import service as accounts
from app.accounts.models import Role
from app.graphql.accounts.types import User
from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.enums import RoleEnum
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAdmin


@strawberry.input
class CreateUserInput:
    email: str
    full_name: str = ""
    username: str | None = strawberry.field(
        default=None,
        description="Unique in the organization; default: the email's local part "
        "(numbered if taken).",
    )
    role: RoleEnum = Role.VIEWER  # type: ignore[valid-type]


CreateUserResult = Annotated[User | InputError, strawberry.union("CreateUserResult")]


@strawberry.type
class CreateUser:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserResult:
        row = await accounts.create_user(
            organization_id=info.context.organization_id,
            email=input.email,
            full_name=input.full_name,
            role=input.role,
            username=input.username,
        )
        return User.from_model(row)
