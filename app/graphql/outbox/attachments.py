"""sendEmail's new files: one input type, the bytes either uploaded (GraphQL
multipart request, as importEmail's rawMessage) or given as base64."""

import strawberry
from strawberry.file_uploads import Upload

from app.core.errors import InvalidInput
from app.graphql.uploads import decode_base64, read_upload
from app.outbox.attachments import FIELD, NewAttachment, check_size


@strawberry.input(
    description="A file to attach: exactly one of file and contentBase64. Stored as "
    "a Document of the outgoing email; the type is checked against the bytes."
)
class NewAttachmentInput:
    filename: str
    content_type: str = "application/octet-stream"
    file: Upload | None = strawberry.field(
        default=None, description="The file (GraphQL multipart request)."
    )
    content_base64: str | None = None


async def read_attachment(item: NewAttachmentInput, number: int) -> NewAttachment:
    if (item.file is None) == (item.content_base64 is None):
        raise InvalidInput(
            f"Attachment {number}: give exactly one of file and contentBase64.",
            field=FIELD,
        )
    if item.file is not None:
        data = await read_upload(item.file, check=check_size)
    else:
        data = decode_base64(item.content_base64 or "", field=FIELD, check=check_size)
    return NewAttachment(item.filename, item.content_type, data)
