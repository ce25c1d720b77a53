"""Synchronous email edits, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.mail.mutations.delete_email import DeleteEmail
from app.graphql.mail.mutations.update_email import UpdateEmail

MailMutations = merge_types("MailMutations", (UpdateEmail, DeleteEmail))
