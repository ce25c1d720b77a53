"""Organization, User and ApiToken."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.accounts.models import ApiToken as ApiTokenModel
from app.accounts.models import Organization as OrganizationModel
from app.accounts.models import User as UserModel
from app.graphql.context import Info
from app.graphql.enums import RoleEnum
from app.graphql.types.common import FromModel


@strawberry.type
class Organization(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    send_limit: int | None = strawberry.field(
        description="Outgoing emails the organization may send; null = unlimited."
    )
    created_at: datetime


@strawberry.type
class User(relay.Node, FromModel):
    id: relay.NodeID[int]
    email: str
    full_name: str
    role: RoleEnum  # type: ignore[valid-type]
    is_active: bool
    created_at: datetime
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        row = await info.context.loaders.by_id(OrganizationModel).load(
            self.organization_id
        )
        return Organization.from_model(row)


async def load_user(info: Info, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return User.from_optional(await info.context.loaders.by_id(UserModel).load(user_id))


@strawberry.type
class ApiToken(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    prefix: str = strawberry.field(
        description="The token's first characters, to tell it apart."
    )
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    user_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await load_user(info, self.user_id)


__all__ = ["ApiToken", "ApiTokenModel", "Organization", "User", "load_user"]
