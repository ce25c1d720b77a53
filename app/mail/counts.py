"""Annotation counts by status category, as the API reports them (pure)."""

from dataclasses import dataclass

from app.documents.models import PROCESSED, AnnotationStatus


@dataclass
class AnnotationTally:
    annotations: int = 0
    annotations_processed: int = 0
    annotations_purged: int = 0
    annotations_unprocessed: int = 0
    annotations_rejected: int = 0
    related_annotations: int = 0

    def add(self, status: str, n: int) -> None:
        """Count n annotations of a status; DELETED ones are not counted at all."""
        status = AnnotationStatus(status)
        if status is AnnotationStatus.DELETED:
            return
        self.annotations += n
        if status in PROCESSED:
            self.annotations_processed += n
        elif status is AnnotationStatus.PURGED:
            self.annotations_purged += n
        elif status is AnnotationStatus.REJECTED:
            self.annotations_rejected += n
        else:
            self.annotations_unprocessed += n
