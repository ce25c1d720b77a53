"""`document`/`annotation` by id, and the `documents`/`annotations` lists."""

import strawberry
from tortoise.queryset import QuerySet

from app.documents.models import Annotation as AnnotationModel
from app.documents.models import Document as DocumentModel
from app.graphql.documents.types import Annotation, Document
from app.graphql.enums import AnnotationStatusEnum
from app.graphql.listing import newest_first, with_id
from app.graphql.node import by_global_id


@strawberry.input
class DocumentFilter:
    email: strawberry.ID | None = None

    def apply(self, query: QuerySet) -> QuerySet:
        return with_id(query, "email_id", self.email, "Email")


@strawberry.input
class AnnotationFilter:
    queue: strawberry.ID | None = None
    email: strawberry.ID | None = None
    email_thread: strawberry.ID | None = None
    status: list[AnnotationStatusEnum] | None = None  # type: ignore[valid-type]

    def apply(self, query: QuerySet) -> QuerySet:
        query = with_id(query, "queue_id", self.queue, "Queue")
        query = with_id(query, "email_id", self.email, "Email")
        query = with_id(query, "email_thread_id", self.email_thread, "EmailThread")
        if self.status is not None:
            query = query.filter(status__in=self.status)
        return query


@strawberry.type
class DocumentLookups:
    document = by_global_id("Document", Document)
    annotation = by_global_id("Annotation", Annotation)


@strawberry.type
class DocumentQueries:
    documents = newest_first(DocumentModel, Document, DocumentFilter)
    annotations = newest_first(AnnotationModel, Annotation, AnnotationFilter)
