"""The triage jobs, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.triage.mutations.attach_email import AttachEmail
from app.graphql.triage.mutations.dismiss_email import DismissEmail

TriageMutations = merge_types("TriageMutations", (DismissEmail, AttachEmail))
