"""The request's DataLoaders (`info.context.loaders`), one named attribute a relation.

Each batches the loads of one resolver pass into one query whatever the page size
(tests/test_sql_count.py), answers in key order, and never returns another
organization's rows: an id of theirs loads as None, like an unknown one.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.accounts.models import ApiToken, Organization, User
from app.documents.models import Annotation, Document
from app.graphql.rows import column, fetch
from app.inboxes.models import Inbox, Queue
from app.mail.counts import AnnotationTally
from app.mail.models import Email, EmailThread, Label
from app.mail.relations import (
    EmailLabel,
    EmailLinkedObject,
    EmailRelatedAnnotation,
    EmailRelatedDocument,
)
from app.tasks.models import Task
from app.templates.models import EmailTemplate
from app.webhooks.models import Webhook, WebhookDelivery

K = TypeVar("K")
M = TypeVar("M", bound=Model)

LABEL_ORDER = list(Label)

# The columns a query reads, per model (columns.py); a model not in it loads whole
# rows. Its rows are then dicts of those columns, which FromModel builds types from.
Plan = dict[type[Model], tuple[str, ...]]


class Loaders:
    def __init__(self, organization_id: int) -> None:
        self.organization_id = org = organization_id
        self.columns: Plan = {}  # filled by the PlanColumns extension, for queries
        wide = self.columns
        # Rows by primary key.
        self.organizations_by_id = _by_id(org, Organization, int)
        self.users_by_id = _by_id(org, User, int)
        self.api_tokens_by_id = _by_id(org, ApiToken, int)
        self.queues_by_id = _by_id(org, Queue, int)
        self.inboxes_by_id = _by_id(org, Inbox, int)
        self.emails_by_id = _by_id(org, Email, int, wide)
        self.email_threads_by_id = _by_id(org, EmailThread, int, wide)
        self.documents_by_id = _by_id(org, Document, int, wide)
        self.annotations_by_id = _by_id(org, Annotation, int, wide)
        self.email_templates_by_id = _by_id(org, EmailTemplate, int)
        self.tasks_by_id = _by_id(org, Task, uuid.UUID)
        self.webhooks_by_id = _by_id(org, Webhook, int)
        self.webhook_deliveries_by_id = _by_id(org, WebhookDelivery, int)
        # Rows by a foreign key of theirs.
        self.inboxes_by_queue = _by_column(org, Inbox, "queue_id")
        self.emails_by_parent = _by_column(
            org, Email, "parent_id", ("created_at", "id"), wide
        )
        self.linked_objects_by_email = _by_column(org, EmailLinkedObject, "email_id")
        self.documents_by_email = _by_column(org, Document, "email_id", plan=wide)
        self.annotations_by_email = _by_column(org, Annotation, "email_id", plan=wide)
        self.annotations_by_document = _by_column(
            org, Annotation, "document_id", plan=wide
        )
        # Rows related through a link table.
        self.related_annotations_by_email = _through(
            org, EmailRelatedAnnotation, "email_id", Annotation, "annotation_id", wide
        )
        self.related_documents_by_email = _through(
            org, EmailRelatedDocument, "email_id", Document, "document_id", wide
        )
        self.related_emails_by_annotation = _through(
            org, EmailRelatedAnnotation, "annotation_id", Email, "email_id", wide
        )
        # Aggregates. A thread's labels are the union of its emails' labels.
        self.labels_by_email = _labels(org, "email_id", scoped=False)
        self.labels_by_thread = _labels(org, "email__email_thread_id", scoped=True)
        self.annotation_counts_by_email = _annotation_counts(
            org, "email_id", "email_id"
        )
        self.annotation_counts_by_thread = _annotation_counts(
            org, "email_thread_id", "email__email_thread_id"
        )


def _scoped(organization_id: int, model: type[M]) -> QuerySet[M]:
    if model is Organization:
        return model.filter(id=organization_id)
    if "organization_id" not in model._meta.fields_db_projection:
        # Rows hanging off an email (labels, links...) belong to its organization.
        return model.filter(email__organization_id=organization_id)
    return model.filter(organization_id=organization_id)


def _by_id(
    org: int, model: type[M], _key: type[K], plan: Plan | None = None
) -> DataLoader[K, M | None]:
    async def load(ids: list[K]) -> list[M | None]:
        query = _scoped(org, model).filter(pk__in=ids)
        found = await fetch(query, (plan or {}).get(model))
        by_pk = {column(row, "id"): row for row in found}
        return [by_pk.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _by_column(
    org: int,
    model: type[M],
    key: str,
    order: Sequence[str] = ("id",),
    plan: Plan | None = None,
) -> DataLoader[int, list[M]]:
    async def load(keys: list[int]) -> list[list[M]]:
        query = _scoped(org, model).filter(**{f"{key}__in": keys}).order_by(*order)
        grouped: dict[int, list[M]] = defaultdict(list)
        for row in await fetch(query, (plan or {}).get(model), key):
            grouped[column(row, key)].append(row)
        return [grouped.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _through(
    org: int,
    link: type[Model],
    key_col: str,
    target: type[M],
    target_col: str,
    plan: Plan | None = None,
) -> DataLoader[int, list[M]]:
    async def load(keys: list[int]) -> list[list[M]]:
        pairs = await link.filter(**{f"{key_col}__in": keys}).values_list(
            key_col, target_col
        )
        ids = {t for _, t in pairs}
        query = _scoped(org, target).filter(pk__in=ids)
        found = await fetch(query, (plan or {}).get(target))
        rows_by_pk = {column(r, "id"): r for r in found}
        grouped: dict[int, list[M]] = defaultdict(list)
        for key, target_id in sorted(pairs, key=lambda p: p[1]):
            if target_id in rows_by_pk:
                grouped[key].append(rows_by_pk[target_id])
        return [grouped.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _labels(org: int, column: str, *, scoped: bool) -> DataLoader[int, list[Label]]:
    """By email the keys are already the caller's emails; by thread, scope them."""
    scope: dict[str, Any] = {"email__organization_id": org} if scoped else {}

    async def load(keys: list[int]) -> list[list[Label]]:
        pairs = await EmailLabel.filter(**{f"{column}__in": keys}, **scope).values_list(
            column, "label"
        )
        grouped: dict[int, set[Label]] = defaultdict(set)
        for key, label in pairs:
            grouped[key].add(Label(label))
        return [sorted(grouped.get(k, ()), key=LABEL_ORDER.index) for k in keys]

    return DataLoader(load_fn=load)


def _annotation_counts(
    org: int, column: str, related_column: str
) -> DataLoader[int, AnnotationTally]:
    async def load(keys: list[int]) -> list[AnnotationTally]:
        tallies = {k: AnnotationTally() for k in keys}
        rows = (
            await _scoped(org, Annotation)
            .filter(**{f"{column}__in": keys})
            .annotate(n=Count("id"))
            .group_by(column, "status")
            .values_list(column, "status", "n")
        )
        for key, status, n in rows:
            tallies[key].add(status, n)
        related = await EmailRelatedAnnotation.filter(
            **{f"{related_column}__in": keys}, email__organization_id=org
        ).values_list(related_column, "annotation_id")
        distinct: dict[int, set[int]] = defaultdict(set)
        for key, annotation_id in related:
            distinct[key].add(annotation_id)
        for key, ids in distinct.items():
            tallies[key].related_annotations = len(ids)
        return [tallies[k] for k in keys]

    return DataLoader(load_fn=load)
