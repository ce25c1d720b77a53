"""MANAGER mutations on email templates, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.templates.mutations.create_email_template import (
    CreateEmailTemplate,
)
from app.graphql.templates.mutations.update_email_template import (
    UpdateEmailTemplate,
)

TemplateMutations = merge_types(
    "TemplateMutations", (CreateEmailTemplate, UpdateEmailTemplate)
)
