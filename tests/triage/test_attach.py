"""attachEmail: related annotations and documents, linked objects, and its input
errors. (Its thread moves are in tests/threads/test_attach_moves.py.)"""

import uuid

import pytest
from strawberry.relay import GlobalID

from app.documents.models import Annotation, Document
from app.mail.models import Email
from app.mail.relations import (
    EmailLinkedObject,
    EmailRelatedAnnotation,
    EmailRelatedDocument,
)
from app.tasks.models import Task, TaskStatus
from tests.factories import make_world
from tests.helpers import assert_input_error, gid, gid_of, mutate
from tests.triage.api import (
    ATTACH,
    MERGE,
    assert_counts_match_rows,
    attach,
    email_state,
    org_snapshot,
    task_state,
    tgid,
)

# ============================================================================= attach


async def test_attach_relates_annotations_and_documents_and_links_an_object(
    admin, world, run_jobs
):
    # given an email, an annotation with no thread, an annotation in another thread,
    # and a document of another email
    email = await world.email("Invoice 7")
    elsewhere = await world.email("Other matter")
    loose = await world.annotation(None, thread_id=None)
    placed = await world.annotation(elsewhere)
    document = await Document.get(id=placed.document_id)

    # when they are attached with a linked object
    plan = {
        "annotations": [gid("Annotation", loose.id), gid("Annotation", placed.id)],
        "documents": [gid("Document", document.id)],
        "linkedObject": {"type": " ticket ", "id": " T-1 "},
    }
    result = await attach(admin, email, **plan)
    assert result["__typename"] == "Task", result
    assert result["kind"] == "ATTACH_EMAIL"
    await run_jobs()

    # then the task succeeded and the email shows them
    task = await task_state(admin, result["id"])
    assert (task["status"], task["email"]) == ("SUCCEEDED", {"id": gid_of(email)})
    data = await email_state(admin, email)
    assert {a["id"] for a in data["relatedAnnotations"]} == set(plan["annotations"])
    # (the annotations' documents are related documents too, each once)
    assert sorted(d["id"] for d in data["relatedDocuments"]) == sorted(
        [*plan["documents"], gid("Document", loose.document_id)]
    )
    assert data["linkedObjects"] == [
        {"type": "ticket", "id": "T-1", "autoLinked": False}
    ]
    assert data["annotationCounts"]["relatedAnnotations"] == 2
    assert data["emailThread"] == {"id": tgid(email.email_thread_id)}
    # the thread-less annotation joined the email's thread; the other kept its own
    loose, placed = (
        await Annotation.get(id=loose.id),
        await Annotation.get(id=placed.id),
    )
    assert loose.email_thread_id == email.email_thread_id
    assert placed.email_thread_id == elsewhere.email_thread_id
    await assert_counts_match_rows(admin)

    # when the same attach is asked again, and its job is re-run after a reset
    again = await attach(admin, email, **plan)
    await run_jobs()
    task_id = str(GlobalID.from_id(result["id"]).node_id)
    await Task.filter(id=uuid.UUID(task_id)).update(status=TaskStatus.QUEUED)
    from app.triage.attaching import attach_email_job

    assert await attach_email_job({}, task_id) == "attached"

    # then nothing was added twice
    assert (await task_state(admin, again["id"]))["status"] == "SUCCEEDED"
    assert await EmailRelatedAnnotation.filter(email_id=email.id).count() == 2
    # (the document, and the loose annotation's: the other one's is the document)
    assert await EmailRelatedDocument.filter(email_id=email.id).count() == 2
    assert await EmailLinkedObject.filter(email_id=email.id).count() == 1
    await assert_counts_match_rows(admin)


async def test_attach_the_same_ids_twice_in_one_plan_relates_them_once(
    admin, world, run_jobs
):
    email = await world.email()
    note = await world.annotation(None, thread_id=None)
    twice = [gid("Annotation", note.id)] * 2
    result = await attach(
        admin,
        email,
        annotations=twice,
        documents=[gid("Document", note.document_id)] * 2,
    )
    assert result["__typename"] == "Task", result
    await run_jobs()
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    assert await EmailRelatedAnnotation.filter(email_id=email.id).count() == 1
    assert await EmailRelatedDocument.filter(email_id=email.id).count() == 1


async def test_attach_a_second_linked_object_keeps_the_first(admin, world, run_jobs):
    email = await world.email()
    for kind, object_id in (("ticket", "T-1"), ("ticket", "T-2"), ("deal", "T-1")):
        await attach(admin, email, linkedObject={"type": kind, "id": object_id})
    await run_jobs()
    data = await email_state(admin, email)
    assert sorted(
        (o["type"], o["id"], o["autoLinked"]) for o in data["linkedObjects"]
    ) == [("deal", "T-1", False), ("ticket", "T-1", False), ("ticket", "T-2", False)]


async def test_attach_to_a_thread_of_another_queue_is_an_input_error(admin, world):
    # given an email and a thread in another queue of the same organization
    email = await world.email()
    other = await make_world(admin)
    foreign_thread = await other.email("Elsewhere")
    before = await org_snapshot(admin.organization_id)

    # when the email is attached to that thread
    result = await attach(admin, email, thread=tgid(foreign_thread.email_thread_id))

    # then InputError on thread; no task; nothing moved
    assert_input_error(result, "BAD_REQUEST", "thread")
    assert await org_snapshot(admin.organization_id) == before


@pytest.mark.parametrize("argument", ["id", "annotations", "documents", "thread"])
async def test_attach_with_another_organizations_id_is_not_found(
    admin, world, make_org, run_jobs, argument
):
    # given our email, thread, annotation and document, and another organization's
    email = await world.email("Ours")
    target = await world.email("Our other thread")
    note = await world.annotation(None, thread_id=None)
    other = await make_org("Other")
    theirs = await make_world(other)
    their_email = await theirs.email("Theirs")
    their_note = await theirs.annotation(their_email)
    ours = {
        "id": gid_of(email),
        "annotations": [gid("Annotation", note.id)],
        "documents": [gid("Document", note.document_id)],
        "thread": tgid(target.email_thread_id),
        "linkedObject": {"type": "ticket", "id": "T-9"},
    }
    foreign = {
        "id": gid_of(their_email),
        "annotations": [gid("Annotation", their_note.id)],
        "documents": [gid("Document", their_note.document_id)],
        "thread": tgid(their_email.email_thread_id),
    }
    before = (
        await org_snapshot(admin.organization_id),
        await org_snapshot(other.organization_id),
    )

    # when one argument names the other organization's row (the rest are ours)
    plan = {**ours, argument: foreign[argument]}
    result = await mutate(admin, ATTACH, {"input": plan})
    await run_jobs()

    # then NOT_FOUND on that argument, and nothing changed in either organization
    assert_input_error(result, "NOT_FOUND", argument)
    assert (
        await org_snapshot(admin.organization_id),
        await org_snapshot(other.organization_id),
    ) == before


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({}, "id"),
        ({"linkedObject": {"type": "  ", "id": "T-1"}}, "linkedObject"),
        ({"linkedObject": {"type": "ticket", "id": ""}}, "linkedObject"),
        ({"linkedObject": {"type": "t" * 101, "id": "T-1"}}, "linkedObject"),
        ({"linkedObject": {"type": "ticket", "id": "9" * 201}}, "linkedObject"),
        ({"annotations": ["not-an-id"]}, "annotations"),
        ({"documents": [gid("Annotation", 1)]}, "documents"),
        ({"thread": gid("Email", 1)}, "thread"),
    ],
    ids=[
        "nothing",
        "blank-type",
        "empty-id",
        "long-type",
        "long-id",
        "bad-annotation",
        "wrong-type-document",
        "wrong-type-thread",
    ],
)
async def test_attach_input_errors(admin, world, plan, field):
    email = await world.email()
    before = await org_snapshot(admin.organization_id)
    result = await attach(admin, email, **plan)
    assert result["__typename"] == "InputError", result
    assert result["field"] == field, result
    assert await org_snapshot(admin.organization_id) == before


async def test_attach_fails_its_task_when_the_thread_is_gone_before_the_job(
    admin, world, run_jobs
):
    # given an attach to a thread queued, then the thread merged away before the job
    email = await world.email("Mover")
    target = await world.email("Target")
    keeper = await world.email("Keeper")
    result = await attach(admin, email, thread=tgid(target.email_thread_id))
    merged = await mutate(
        admin,
        MERGE,
        {
            "target": tgid(keeper.email_thread_id),
            "sources": [tgid(target.email_thread_id)],
        },
    )
    assert merged["__typename"] == "EmailThread", merged

    # when the worker runs
    await run_jobs()

    # then the task failed NOT_FOUND and the email did not move
    task = await task_state(admin, result["id"])
    assert (task["status"], task["error"]["code"]) == ("FAILED", "NOT_FOUND"), task
    assert (await Email.get(id=email.id)).email_thread_id == email.email_thread_id
