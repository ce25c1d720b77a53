"""createApiToken: a token for a user of the organization, shown this once."""

from typing import Annotated

import strawberry

from app.accounts import service as accounts
from app.accounts.models import User as UserModel
from app.core.errors import NotFound
from app.graphql.accounts.types import ApiToken
from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.permissions import IsAdmin


@strawberry.input
class CreateApiTokenInput:
    user: strawberry.ID
    name: str = ""


@strawberry.type
class CreateApiTokenPayload:
    token: str = strawberry.field(description="Shown once; only its hash is stored.")
    api_token: ApiToken


CreateApiTokenResult = Annotated[
    CreateApiTokenPayload | InputError, strawberry.union("CreateApiTokenResult")
]


@strawberry.type
class CreateApiToken:
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
