"""ADMIN mutations on users and API tokens, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.accounts.mutations.create_api_token import CreateApiToken
from app.graphql.accounts.mutations.create_user import CreateUser
from app.graphql.accounts.mutations.revoke_api_token import RevokeApiToken
from app.graphql.accounts.mutations.update_user import UpdateUser

AccountMutations = merge_types(
    "AccountMutations", (CreateUser, UpdateUser, CreateApiToken, RevokeApiToken)
)
