"""Document and annotation verbs."""

import hashlib
from typing import Any

from app.accounts.models import User
from app.core.blobs import blob_store
from app.core.errors import InvalidInput, NotFound
from app.core.validation import check_metadata
from app.documents.models import Annotation, AnnotationStatus, Document


async def store_document(
    *,
    organization_id: int,
    email_id: int | None,
    data: bytes,
    file_name: str,
    mime_type: str,
) -> Document:
    """A Document with its bytes in the blob store (names and types checked by the
    caller, as intake and outbox each do)."""
    return await Document.create(
        organization_id=organization_id,
        email_id=email_id,
        original_file_name=file_name,
        mime_type=mime_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        blob_key=await blob_store().put(data),
    )


async def update_annotation(
    *,
    organization_id: int,
    annotation_id: int,
    status: AnnotationStatus | None = None,
    assignee_id: int | None = None,
    clear_assignee: bool = False,
    metadata: dict[str, Any] | None = None,
) -> Annotation:
    annotation = await Annotation.get_or_none(
        id=annotation_id, organization_id=organization_id
    )
    if annotation is None:
        raise NotFound("No such annotation.", field="id")
    if status is AnnotationStatus.IMPORTING:
        raise InvalidInput("Only the import sets IMPORTING.", field="status")
    if metadata is not None:
        annotation.metadata = check_metadata(metadata)
    if status is not None:
        annotation.status = status
    if clear_assignee:
        annotation.assignee_id = None
    elif assignee_id is not None:
        if not await User.filter(
            id=assignee_id, organization_id=organization_id
        ).exists():
            raise NotFound("No such user.", field="assignee")
        annotation.assignee_id = assignee_id
    await annotation.save()
    return annotation
