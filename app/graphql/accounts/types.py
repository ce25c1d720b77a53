"""Organization, User and ApiToken: who may call, and with which token."""

from datetime import datetime

import strawberry
from strawberry import relay

from app.graphql.common import FromModel
from app.graphql.context import Info
from app.graphql.enums import RoleEnum
from app.graphql.permissions import IsAdmin


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
    username: str = strawberry.field(description="{{ user_name }} in templates.")
    full_name: str
    role: RoleEnum  # type: ignore[valid-type]
    is_active: bool
    created_at: datetime
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        loader = info.context.loaders.organizations_by_id
        return Organization.from_model(await loader.load(self.organization_id))


@strawberry.type
class ApiToken(relay.Node, FromModel):
    id: relay.NodeID[int]
    name: str
    # What narrows a guess or tells when a token works: the administrators' only.
    prefix: str = strawberry.field(
        description="The token's first characters, to tell it apart (ADMIN).",
        permission_classes=[IsAdmin],
    )
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="(ADMIN)", permission_classes=[IsAdmin]
    )
    revoked_at: datetime | None
    user_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await User.load(info.context.loaders.users_by_id, self.user_id)
