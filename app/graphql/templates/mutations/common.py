"""The result both template mutations return."""

from typing import Annotated

import strawberry

from app.graphql.common import InputError
from app.graphql.templates.types import EmailTemplate

EmailTemplateResult = Annotated[
    EmailTemplate | InputError, strawberry.union("EmailTemplateResult")
]
