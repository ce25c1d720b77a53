"""`viewer`: the user the token belongs to, without knowing its id."""

import strawberry

from app.graphql.accounts.types import User
from app.graphql.context import Info


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The user the token belongs to.")
    def viewer(self, info: Info) -> User:
        return User.from_model(info.context.viewer.user)
