"""`limits`: so a client can check its input before the API refuses it."""

import strawberry

from app.graphql.context import Info
from app.graphql.limits.types import Limits, load_limits


@strawberry.type
class LimitQueries:
    @strawberry.field(description="The limits in force for the caller's organization.")
    async def limits(self, info: Info) -> Limits:
        loader = info.context.loaders.organizations_by_id
        org = await loader.load(info.context.organization_id)
        if org is None:  # the caller's own: gone only if deleted meanwhile
            raise LookupError("the caller's organization is gone")
        return await load_limits(org)
