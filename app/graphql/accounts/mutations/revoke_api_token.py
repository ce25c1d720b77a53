"""revokeApiToken: the token stops working on its next use (even the caller's own)."""

from typing import Annotated

import strawberry

from app.accounts import service as accounts
from app.accounts.models import ApiToken as ApiTokenModel
from app.graphql.accounts.types import ApiToken
from app.graphql.common import InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.input_ids import DeprecatedId, decode_or_not_found, input_id
from app.graphql.permissions import IsAdmin

RevokeApiTokenResult = Annotated[
    ApiToken | InputError, strawberry.union("RevokeApiTokenResult")
]


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiToken:
    @strawberry.mutation(permission_classes=[IsAdmin], extensions=[AsInputError()])
    async def revoke_api_token(
        self,
        info: Info,
        input: RevokeApiTokenInput | None = None,
        id: DeprecatedId = None,
    ) -> RevokeApiTokenResult:
        row: ApiTokenModel = await accounts.revoke_token(
            token_id=decode_or_not_found(input_id(input, id), "ApiToken", field="id"),
            organization_id=info.context.organization_id,
        )
        return ApiToken.from_model(row)
