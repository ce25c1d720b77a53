"""attachEmail: relate annotations and documents, move to a thread, link an object.

Everything is checked when the mutation is called (so the caller gets InputErrors),
and again by the job, which applies it in one transaction. Re-running it adds
nothing twice: related rows and links are unique and added only when missing.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from tortoise.transactions import in_transaction

from app.accounts.models import User
from app.core.errors import InvalidInput, NotFound
from app.documents.models import Annotation, Document
from app.mail.models import Email, EmailThread
from app.mail.relations import EmailLinkedObject
from app.mail.service import email_of, get_email, relate
from app.tasks.jobs import Outcome, task_job
from app.tasks.models import Task, TaskKind
from app.tasks.service import submit
from app.threads.service import move_subtree

log = logging.getLogger("mailroom.attach")


@dataclass
class AttachPlan:
    annotation_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    thread_id: int | None = None
    linked_object: tuple[str, str] | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "annotation_ids": self.annotation_ids,
            "document_ids": self.document_ids,
            "thread_id": self.thread_id,
            "linked_object": list(self.linked_object) if self.linked_object else None,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "AttachPlan":
        link = payload.get("linked_object")
        return cls(
            payload.get("annotation_ids", []),
            payload.get("document_ids", []),
            payload.get("thread_id"),
            tuple(link) if link else None,
        )


async def _check(email: Email, plan: AttachPlan) -> None:
    org = email.organization_id
    for model, ids, name in (
        (Annotation, plan.annotation_ids, "annotations"),
        (Document, plan.document_ids, "documents"),
    ):
        found = await model.filter(id__in=ids, organization_id=org).count()
        if found != len(set(ids)):
            raise NotFound(f"Some {name} do not exist.", field=name)
    if plan.thread_id is not None:
        thread = await EmailThread.get_or_none(id=plan.thread_id, organization_id=org)
        if thread is None:
            raise NotFound("No such thread.", field="thread")
        if thread.queue_id != email.queue_id:
            raise InvalidInput("The thread is in another queue.", field="thread")
    if plan.linked_object is not None:
        kind, object_id = plan.linked_object
        if not (0 < len(kind) <= 100 and 0 < len(object_id) <= 200):
            raise InvalidInput(
                "linkedObject type and id must be 1-100 and 1-200 characters.",
                field="linkedObject",
            )
    if not (
        plan.annotation_ids or plan.document_ids or plan.thread_id or plan.linked_object
    ):
        raise InvalidInput("Nothing to attach.", field="id")


async def request_attach(
    redis: ArqRedis,
    *,
    organization_id: int,
    user: User,
    email_id: int,
    plan: AttachPlan,
) -> Task:
    email = await get_email(organization_id=organization_id, email_id=email_id)
    await _check(email, plan)
    return await submit(
        redis,
        organization_id=organization_id,
        kind=TaskKind.ATTACH_EMAIL,
        creator_id=user.id,
        email_id=email.id,
        payload=plan.payload(),
    )


async def _attach_task(task: Task) -> Outcome:
    email = await email_of(task)
    plan = AttachPlan.from_payload(task.payload)
    await _check(email, plan)  # something may have changed since the mutation
    async with in_transaction():
        await _apply(email, plan)
    return Outcome("attached", email_id=email.id)


attach_email_job = task_job("attach_email_job", _attach_task)


async def _apply(email: Email, plan: AttachPlan) -> None:
    if plan.thread_id is not None and plan.thread_id != email.email_thread_id:
        await move_subtree(email, await EmailThread.get(id=plan.thread_id))
        email = await Email.get(id=email.id)
    await relate(
        email, annotation_ids=plan.annotation_ids, document_ids=plan.document_ids
    )
    if plan.linked_object is not None:
        kind, object_id = plan.linked_object
        await EmailLinkedObject.get_or_create(
            email_id=email.id,
            type=kind,
            object_id=object_id,
            defaults={"auto_linked": False},
        )
