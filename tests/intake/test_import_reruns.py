"""An import job run again after a crash creates nothing twice; a task held by a
live worker is not run twice."""

import uuid
from datetime import UTC, datetime, timedelta

from app.documents.models import Annotation, Document
from app.intake.jobs import import_email_job
from app.mail.models import Email, EmailThread
from app.mail.relations import EmailReference
from app.settings import get_settings
from app.tasks.models import Task, TaskStatus
from tests import mailcorpus as mc
from tests.helpers import pk_of
from tests.intake.importing import (
    imported_email,
    intake_inbox,
    queued_task,
    task_of,
)


async def _counts(organization_id: int) -> dict[str, int]:
    return {
        "emails": await Email.filter(organization_id=organization_id).count(),
        "threads": await EmailThread.filter(organization_id=organization_id).count(),
        "documents": await Document.filter(organization_id=organization_id).count(),
        "annotations": await Annotation.filter(organization_id=organization_id).count(),
        "references": await EmailReference.filter(
            email__organization_id=organization_id
        ).count(),
    }


async def _as_if_crashed(task_id: str) -> uuid.UUID:
    """The state a worker leaves when it dies after committing the import but before
    marking the task done: RUNNING, started long ago (past the lease), no email."""
    pk = uuid.UUID(pk_of(task_id))
    await Task.filter(id=pk).update(
        status=TaskStatus.RUNNING,
        started_at=datetime.now(UTC) - timedelta(hours=1),
        finished_at=None,
        email_id=None,
    )
    return pk


async def test_a_job_rerun_after_a_crash_creates_nothing_twice(admin, run_jobs, redis):
    # given a reply with two attachments, imported (its parent is there)
    await intake_inbox(admin.organization_id)
    await imported_email(admin, run_jobs, mc.simple(message_id="<cp@vendor.test>"))
    raw = mc.simple(
        message_id="<crash@vendor.test>",
        in_reply_to="<cp@vendor.test>",
        references="<cp@vendor.test>",
        attachments=[("a.pdf", mc.pdf("crash a")), ("b.pdf", mc.pdf("crash b"))],
    )
    task_id = await queued_task(admin, raw)
    await run_jobs()
    done = await task_of(admin, task_id)
    before = await _counts(admin.organization_id)
    assert before["documents"] == 2 and before["annotations"] == 2
    # when the worker "crashed" before marking it done and the job runs again directly
    pk = await _as_if_crashed(task_id)
    assert await import_email_job({}, str(pk)) == "succeeded"
    # then the task succeeded with the same email and nothing was created twice
    rerun = await task_of(admin, task_id)
    assert rerun["status"] == "SUCCEEDED"
    assert rerun["email"]["id"] == done["email"]["id"]
    assert await _counts(admin.organization_id) == before
    # and likewise when it is enqueued again under another arq job id
    await _as_if_crashed(task_id)
    await redis.enqueue_job(
        "import_email_job",
        str(pk),
        _job_id=f"retry-{pk}",
        _queue_name=f"{get_settings().redis_key_prefix}:queue",
    )
    await run_jobs()
    again = await task_of(admin, task_id)
    assert (
        again["status"] == "SUCCEEDED" and again["email"]["id"] == done["email"]["id"]
    )
    assert (await Task.get(id=pk)).attempts == 3
    assert await _counts(admin.organization_id) == before
    # and a finished task's job is skipped
    assert await import_email_job({}, str(pk)) == "skipped"
    assert await _counts(admin.organization_id) == before


async def test_a_task_held_by_a_live_worker_is_not_run_twice(admin, run_jobs):
    # given a task a worker claimed a moment ago (RUNNING, within its lease)
    await intake_inbox(admin.organization_id)
    task_id = await queued_task(admin, mc.simple(message_id="<live@vendor.test>"))
    pk = uuid.UUID(pk_of(task_id))
    await Task.filter(id=pk).update(
        status=TaskStatus.RUNNING, started_at=datetime.now(UTC)
    )
    # when another run of its job starts
    result = await import_email_job({}, str(pk))
    # then it does nothing
    assert result == "skipped"
    assert await Email.filter(organization_id=admin.organization_id).count() == 0
