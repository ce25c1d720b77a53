"""importEmail: accept a raw message and return the Task that imports it."""

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from app.core.errors import InvalidInput
from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAdmin
from app.graphql.tasks.types import Task
from app.graphql.uploads import IncomingFile, incoming_base64, incoming_upload
from app.intake.service import check_size, request_import


@strawberry.input
class ImportEmailInput:
    raw_message: Upload | None = strawberry.field(
        default=None, description="The .eml file (GraphQL multipart request)."
    )
    raw_message_base64: str | None = None
    recipient: str = strawberry.field(description="Address of one of your inboxes.")
    metadata: JSON | None = None
    values: JSON | None = strawberry.field(
        default=None, description='Annotation values; keys start with "emails_import:".'
    )
    idempotency_key: str | None = None


ImportEmailResult = Annotated[Task | InputError, strawberry.union("ImportEmailResult")]


def _check(size: int, whole: bool) -> None:
    check_size(size, whole=whole)


async def _raw(input: ImportEmailInput) -> IncomingFile:
    """The message, its size checked where known; its bytes go to the blob store
    a chunk at a time (never whole in memory, nor decoded twice)."""
    if (input.raw_message is None) == (input.raw_message_base64 is None):
        raise InvalidInput(
            "Give exactly one of rawMessage and rawMessageBase64.", field="rawMessage"
        )
    if input.raw_message is not None:
        return await incoming_upload(input.raw_message, check=_check)
    return incoming_base64(
        input.raw_message_base64 or "", field="rawMessageBase64", check=_check
    )


@strawberry.type
class ImportEmail:
    @strawberry.mutation(
        description="Import a raw RFC 822 message (ADMIN); poll the Task.",
        permission_classes=[IsAdmin],
        extensions=[AsInputError()],
    )
    async def import_email(
        self, info: Info, input: ImportEmailInput
    ) -> ImportEmailResult:
        raw = await _raw(input)
        try:
            task = await request_import(
                info.context.redis,
                raw=raw.spool or raw.chunks,
                recipient=input.recipient,
                organization_id=info.context.organization_id,
                creator_id=info.context.viewer.user.id,
                metadata=input.metadata,
                values=input.values,
                idempotency_key=input.idempotency_key,
                source="api",
            )
        finally:
            await raw.aclose()
        return Task.from_model(task)
