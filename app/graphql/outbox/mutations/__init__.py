"""Sending, cancelling and resending outgoing mail, in the schema's order."""

from strawberry.tools import merge_types

from app.graphql.outbox.mutations.cancel_email import CancelEmail
from app.graphql.outbox.mutations.resend_email import ResendEmail
from app.graphql.outbox.mutations.send_email import SendEmail

OutboxMutations = merge_types("OutboxMutations", (SendEmail, CancelEmail, ResendEmail))
