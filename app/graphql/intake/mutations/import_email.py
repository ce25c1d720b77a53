"""importEmail: accept a raw message and return the Task that imports it."""

import base64
import binascii
from typing import Annotated, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from app.core.errors import InvalidInput
from app.graphql.common import JSON, InputError
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.permissions import IsAdmin
from app.graphql.tasks.types import Task
from app.intake.service import check_size, request_import

CHUNK = 1024 * 1024


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


async def _read_upload(upload: UploadFile) -> bytes:
    """Stop at the first chunk past the size limit, so an oversize upload fails early
    (the whole size is then unknown: the error says larger than the limit)."""
    chunks, total = [], 0
    try:
        while chunk := await upload.read(CHUNK):
            chunks.append(chunk)
            total += len(chunk)
            check_size(total, whole=False)
    finally:
        await upload.close()
    return b"".join(chunks)


async def _raw(input: ImportEmailInput) -> bytes:
    if (input.raw_message is None) == (input.raw_message_base64 is None):
        raise InvalidInput(
            "Give exactly one of rawMessage and rawMessageBase64.", field="rawMessage"
        )
    if input.raw_message is not None:
        # Starlette's multipart parser hands files over as UploadFile.
        return await _read_upload(cast(UploadFile, input.raw_message))
    text = input.raw_message_base64 or ""
    check_size(len(text) * 3 // 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "rawMessageBase64 is not valid base64.", field="rawMessageBase64"
        ) from None


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
        task = await request_import(
            info.context.redis,
            raw=await _raw(input),
            recipient=input.recipient,
            organization_id=info.context.organization_id,
            creator_id=info.context.viewer.user.id,
            metadata=input.metadata,
            values=input.values,
            idempotency_key=input.idempotency_key,
            source="api",
        )
        return Task.from_model(task)
