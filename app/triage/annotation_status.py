"""updateAnnotation with what a status change sets off: the annotation changes and
its AUTOMATIC_STATUS_CHANGED_INFO notices are queued in one transaction, and their
send jobs enqueued once it commits."""

from typing import Any

from arq.connections import ArqRedis
from tortoise.transactions import in_transaction

from app.documents import service as documents
from app.documents.models import Annotation, AnnotationStatus
from app.outbox.status_notices import queue_status_notices
from app.tasks.service import enqueue_committed


async def update_annotation(
    redis: ArqRedis,
    *,
    organization_id: int,
    annotation_id: int,
    status: AnnotationStatus | None = None,
    **changes: Any,
) -> Annotation:
    """documents.service.update_annotation, and the notices of a new status."""
    async with in_transaction():
        before = await Annotation.get_or_none(
            id=annotation_id, organization_id=organization_id
        )
        row = await documents.update_annotation(
            organization_id=organization_id,
            annotation_id=annotation_id,
            status=status,
            **changes,
        )
        notices = (
            await queue_status_notices([row.id], status)
            if status is not None and before is not None and before.status != status
            else []
        )
    for task in notices:
        await enqueue_committed(redis, task)
    return row
