"""Importing mail through the API."""

from strawberry.tools import merge_types

from app.graphql.intake.mutations.import_email import ImportEmail

IntakeMutations = merge_types("IntakeMutations", (ImportEmail,))
