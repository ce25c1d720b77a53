"""The Strawberry schema and its protective extensions."""

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from app.graphql.extensions import CodedErrors, RejectNulCharacters
from app.graphql.mutations.admin import AdminMutations
from app.graphql.mutations.annotations import AnnotationMutations
from app.graphql.mutations.emails import EmailMutations
from app.graphql.mutations.imports import ImportMutations
from app.graphql.mutations.sending import SendingMutations
from app.graphql.mutations.tasks import TaskMutations
from app.graphql.mutations.templates import TemplateMutations
from app.graphql.mutations.triage import TriageMutations
from app.graphql.node import NODE_TYPES
from app.graphql.queries import Query
from app.settings import Settings, get_settings

Mutation = merge_types(
    "Mutation",
    (
        ImportMutations,
        SendingMutations,
        TriageMutations,
        AdminMutations,
        EmailMutations,
        AnnotationMutations,
        TemplateMutations,
        TaskMutations,
    ),
)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    # Factories, not instances: each request gets fresh extension objects.
    extensions: list = [
        CodedErrors,
        RejectNulCharacters,
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
    ]
    if not settings.graphql_introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[gql_type for _, gql_type in NODE_TYPES.values()],
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.graphql_introspection
        ),
    )


def schema_sdl() -> str:
    return build_schema(Settings(graphql_introspection=True)).as_str() + "\n"
