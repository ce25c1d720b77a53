"""`emailTemplates`: the organization's templates, newest first."""

import strawberry

from app.graphql.listing import newest_first
from app.graphql.templates.types import EmailTemplate
from app.templates.models import EmailTemplate as EmailTemplateModel


@strawberry.type
class TemplateQueries:
    email_templates = newest_first(EmailTemplateModel, EmailTemplate)
