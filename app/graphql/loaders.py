"""Per-request DataLoaders, every one scoped to the caller's organization.

`by_id(Model)` and `many_by(Model, fk)` cover plain relations; the rest batch the
aggregates (labels, annotation counts) so a page costs the same queries at any size.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model

from app.accounts.models import Organization
from app.documents.models import Annotation, Document
from app.mail.counts import AnnotationTally
from app.mail.models import Email, Label
from app.mail.relations import EmailLabel, EmailRelatedAnnotation, EmailRelatedDocument

LABEL_ORDER = list(Label)


class Loaders:
    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(
        self, key: Hashable, load: Callable[[list[Any]], Any]
    ) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader

    def _scoped(self, model: type[Model]):
        if model is Organization:
            return model.filter(id=self.organization_id)
        if "organization_id" not in model._meta.fields_db_projection:
            # Rows hanging off an email (labels, links...) belong to its organization.
            return model.filter(email__organization_id=self.organization_id)
        return model.filter(organization_id=self.organization_id)

    def by_id(self, model: type[Model]) -> DataLoader[Any, Any]:
        """model rows by primary key; None for unknown or foreign ids."""

        async def load(ids: list[Any]) -> list[Any]:
            rows = {row.pk: row for row in await self._scoped(model).filter(pk__in=ids)}
            return [rows.get(i) for i in ids]

        return self._get(("by_id", model), load)

    def many_by(
        self, model: type[Model], fk: str, order: Sequence[str] = ("id",)
    ) -> DataLoader[int, list[Any]]:
        """Lists of model rows whose `fk` column is each key."""

        async def load(keys: list[int]) -> list[list[Any]]:
            rows = (
                await self._scoped(model).filter(**{f"{fk}__in": keys}).order_by(*order)
            )
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in rows:
                grouped[getattr(row, fk)].append(row)
            return [grouped.get(k, []) for k in keys]

        return self._get(("many_by", model, fk), load)

    def _through(
        self, through: type[Model], key_col: str, target: type[Model], target_col: str
    ) -> DataLoader[int, list[Any]]:
        async def load(keys: list[int]) -> list[list[Any]]:
            pairs = await through.filter(**{f"{key_col}__in": keys}).values_list(
                key_col, target_col
            )
            ids = {t for _, t in pairs}
            rows = {r.pk: r for r in await self._scoped(target).filter(pk__in=ids)}
            grouped: dict[int, list[Any]] = defaultdict(list)
            for key, target_id in sorted(pairs, key=lambda p: p[1]):
                if target_id in rows:
                    grouped[key].append(rows[target_id])
            return [grouped.get(k, []) for k in keys]

        return self._get(("through", through, key_col), load)

    def related_annotations_by_email(self) -> DataLoader[int, list[Annotation]]:
        return self._through(
            EmailRelatedAnnotation, "email_id", Annotation, "annotation_id"
        )

    def related_documents_by_email(self) -> DataLoader[int, list[Document]]:
        return self._through(EmailRelatedDocument, "email_id", Document, "document_id")

    def related_emails_by_annotation(self) -> DataLoader[int, list[Email]]:
        return self._through(EmailRelatedAnnotation, "annotation_id", Email, "email_id")

    def labels_by_email(self) -> DataLoader[int, list[Label]]:
        async def load(keys: list[int]) -> list[list[Label]]:
            pairs = await EmailLabel.filter(email_id__in=keys).values_list(
                "email_id", "label"
            )
            return _labels_grouped(pairs, keys)

        return self._get("labels_by_email", load)

    def labels_by_thread(self) -> DataLoader[int, list[Label]]:
        """A thread's labels: the union of its emails' labels."""

        async def load(keys: list[int]) -> list[list[Label]]:
            pairs = await EmailLabel.filter(
                email__email_thread_id__in=keys,
                email__organization_id=self.organization_id,
            ).values_list("email__email_thread_id", "label")
            return _labels_grouped(pairs, keys)

        return self._get("labels_by_thread", load)

    def annotation_counts_by_email(self) -> DataLoader[int, AnnotationTally]:
        return self._get(
            "counts_by_email",
            lambda keys: self._annotation_counts(keys, "email_id", "email_id"),
        )

    def annotation_counts_by_thread(self) -> DataLoader[int, AnnotationTally]:
        return self._get(
            "counts_by_thread",
            lambda keys: self._annotation_counts(
                keys, "email_thread_id", "email__email_thread_id"
            ),
        )

    async def _annotation_counts(
        self, keys: list[int], column: str, related_column: str
    ) -> list[AnnotationTally]:
        tallies = {k: AnnotationTally() for k in keys}
        rows = (
            await self._scoped(Annotation)
            .filter(**{f"{column}__in": keys})
            .annotate(n=Count("id"))
            .group_by(column, "status")
            .values_list(column, "status", "n")
        )
        for key, status, n in rows:
            tallies[key].add(status, n)
        related = await EmailRelatedAnnotation.filter(
            **{f"{related_column}__in": keys},
            email__organization_id=self.organization_id,
        ).values_list(related_column, "annotation_id")
        distinct: dict[int, set[int]] = defaultdict(set)
        for key, annotation_id in related:
            distinct[key].add(annotation_id)
        for key, ids in distinct.items():
            tallies[key].related_annotations = len(ids)
        return [tallies[k] for k in keys]


def _labels_grouped(pairs: list[tuple[int, str]], keys: list[int]) -> list[list[Label]]:
    grouped: dict[int, set[Label]] = defaultdict(set)
    for key, label in pairs:
        grouped[key].add(Label(label))
    return [sorted(grouped.get(k, ()), key=LABEL_ORDER.index) for k in keys]
