"""The schema: Query and Mutation assembled from each capability's pieces, and the
extensions that protect it."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import strawberry
from graphql.error import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult

from app.graphql.accounts.mutations import AccountMutations
from app.graphql.accounts.queries import AccountQueries
from app.graphql.accounts.types import ApiToken, Organization, User
from app.graphql.columns import PlanColumns
from app.graphql.cost import QueryCostLimiter
from app.graphql.documents.mutations import DocumentMutations
from app.graphql.documents.queries import DocumentLookups, DocumentQueries
from app.graphql.documents.types import Annotation, Document
from app.graphql.error_log import log_errors
from app.graphql.extensions import (
    CodedErrors,
    RejectNulCharacters,
    request_has_nul,
)
from app.graphql.inboxes.mutations import InboxMutations
from app.graphql.inboxes.queries import InboxQueries
from app.graphql.inboxes.types import Inbox, Queue
from app.graphql.intake.mutations import IntakeMutations
from app.graphql.limits.queries import LimitQueries
from app.graphql.mail.mutations import MailMutations
from app.graphql.mail.queries import MailLookups, MailQueries
from app.graphql.mail.statistics import StatisticsQueries
from app.graphql.mail.types import Email, EmailThread
from app.graphql.node import NodeQueries
from app.graphql.observed import ObservedOperation
from app.graphql.outbox.mutations import OutboxMutations
from app.graphql.prefetch import answer_relations_directly
from app.graphql.tasks.mutations import TaskMutations
from app.graphql.tasks.queries import TaskLookups, TaskQueries
from app.graphql.tasks.types import Task
from app.graphql.templates.mutations import TemplateMutations
from app.graphql.templates.queries import TemplateQueries
from app.graphql.templates.types import EmailTemplate
from app.graphql.threads.mutations import ThreadMutations
from app.graphql.triage.mutations import TriageMutations
from app.graphql.webhooks.mutations import WebhookMutations
from app.graphql.webhooks.queries import WebhookLookups, WebhookQueries
from app.graphql.webhooks.types import Webhook, WebhookDelivery
from app.settings import Settings, get_settings

# The order of the pieces is the order of the fields in schema.graphql.
Query = merge_types(
    "Query",
    (
        NodeQueries,
        AccountQueries,
        MailLookups,
        DocumentLookups,
        TaskLookups,
        WebhookLookups,
        MailQueries,
        StatisticsQueries,
        DocumentQueries,
        TaskQueries,
        InboxQueries,
        TemplateQueries,
        LimitQueries,
        WebhookQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        IntakeMutations,
        OutboxMutations,
        TriageMutations,
        ThreadMutations,
        InboxMutations,
        AccountMutations,
        MailMutations,
        DocumentMutations,
        TemplateMutations,
        TaskMutations,
        WebhookMutations,
    ),
)
# Every type `node(id:)` can return, whether a field reaches it or not.
NODE_TYPES = [
    Organization,
    User,
    ApiToken,
    Queue,
    Inbox,
    Email,
    EmailThread,
    Document,
    Annotation,
    EmailTemplate,
    Task,
    Webhook,
    WebhookDelivery,
]


# Parsed and validated documents kept (LRU): clients repeat a few documents with
# other variables; a flood of distinct ones only cycles this many entries.
DOCUMENT_CACHE_SIZE = 256


class CachedParse(ParserCache):
    """Strawberry's ParserCache, but a document that does not parse is left to
    Strawberry's own parse, which reports the syntax error as every other error."""

    def on_parse(self) -> Iterator[None]:
        run = self.execution_context
        with contextlib.suppress(GraphQLError):
            run.graphql_document = self.cached_parse_document(
                run.query, **run.parse_options
            )
        yield


# Whether this request holds U+0000 (set by MailroomSchema.execute for its run).
_holds_nul: ContextVar[bool] = ContextVar("holds_nul", default=False)


class MailroomSchema(strawberry.Schema):
    async def execute(
        self, query: str | None, variable_values: dict | None = None, *args, **kwargs
    ) -> ExecutionResult:
        token = _holds_nul.set(request_has_nul(query, variable_values))
        try:
            return await super().execute(query, variable_values, *args, **kwargs)
        finally:
            _holds_nul.reset(token)

    def execute_sync(
        self, query: str | None, variable_values: dict | None = None, *args, **kwargs
    ) -> ExecutionResult:
        token = _holds_nul.set(request_has_nul(query, variable_values))
        try:
            return super().execute_sync(query, variable_values, *args, **kwargs)
        finally:
            _holds_nul.reset(token)

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        """Only a request holding U+0000 checks the arguments of every field."""
        extensions = super().get_extensions(sync)
        if _holds_nul.get():
            extensions.append(RejectNulCharacters())
        return extensions

    def process_errors(
        self, errors: list[GraphQLError], execution_context=None
    ) -> None:
        """Instead of Strawberry's ERROR with traceback for every error."""
        log_errors(errors)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    # The validation rules are made once, so that a repeated document's validation
    # is cached (ValidationCache keys on the rules too); the cost, which depends on
    # the variables, is counted for each request after it.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(
            max_alias_count=settings.graphql_max_aliases
        ).validation_rules,
    ]
    if not settings.graphql_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, not instances: each request gets fresh extension objects.
    extensions: list = [
        CodedErrors,
        # After CodedErrors: it sees the errors before they are masked.
        ObservedOperation,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: CachedParse(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: QueryCostLimiter(
            max_cost=settings.graphql_max_cost,
            default_page_size=settings.default_page_size,
        ),
        PlanColumns,
    ]
    schema = MailroomSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.graphql_introspection
        ),
    )
    answer_relations_directly(schema)
    return schema


def schema_sdl() -> str:
    return build_schema(Settings(graphql_introspection=True)).as_str() + "\n"
