"""Tasks outlive Redis: the reconciler re-enqueues lost jobs; old tasks are purged."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

from arq.constants import in_progress_key_prefix, job_key_prefix

from app.core.redis import sentinel_settings
from app.tasks import reconcile
from app.tasks.models import Task, TaskKind, TaskStatus
from app.tasks.queue import enqueue_task
from app.tasks.reconcile import purge_expired_tasks, reconcile_tasks
from app.worker import queue_name
from tests.factories import make_inbox, make_queue

RAW = (
    b"From: a@supplier.test\r\nTo: in@acme.test\r\nSubject: Lost\r\n"
    b"Message-ID: <lost@supplier.test>\r\n\r\nbody\r\n"
)


async def _import(admin) -> tuple[str, Task]:
    """An inbox, and an import into it through the API: (task global id, row)."""
    await make_inbox(
        admin.organization_id,
        "in@acme.test",
        queue=await make_queue(admin.organization_id, "Q"),
    )
    data = await admin.data(
        "mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,"
        ' recipient: "in@acme.test"}) { ... on Task { id } } }',
        {"raw": base64.b64encode(RAW).decode()},
    )
    return data["importEmail"]["id"], await Task.get()


async def _outcome(admin, task_gid: str) -> dict:
    body = await admin.data(
        "query($id: ID!) { task(id: $id) { status email { subject } } }",
        {"id": task_gid},
    )
    return body["task"]


async def test_a_task_whose_job_was_lost_is_reenqueued_and_completes(
    admin, redis, run_jobs
):
    # given an import whose arq job vanished (a Redis flush) and is a while old
    task_gid, task = await _import(admin)
    await redis.delete(job_key_prefix + str(task.id), queue_name())  # as a flush would
    assert await redis.zcard(queue_name()) == 0
    await Task.filter(id=task.id).update(
        created_at=datetime.now(UTC) - timedelta(hours=1)
    )
    # when the reconciler runs and then the worker
    assert await reconcile_tasks({"redis": redis}) == 1
    await run_jobs()
    # then the task finished and points at the email
    assert await _outcome(admin, task_gid) == {
        "status": "SUCCEEDED",
        "email": {"subject": "Lost"},
    }
    # and a second pass finds nothing to do
    assert await reconcile_tasks({"redis": redis}) == 0


async def test_finished_tasks_get_an_expiry_and_are_purged_after_it(admin):
    from app.tasks.models import TaskKind

    done = await Task.create(
        organization_id=admin.organization_id,
        kind=TaskKind.IMPORT_EMAIL,
        status=TaskStatus.SUCCEEDED,
    )
    waiting = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL
    )
    assert done.expires_at > datetime.now(UTC) + timedelta(days=6)
    await Task.filter(id__in=[done.id, waiting.id]).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await purge_expired_tasks({}) == 1
    assert [t.id for t in await Task.all()] == [waiting.id]  # unfinished ones stay


def test_sentinel_urls_name_hosts_master_and_database():
    settings = sentinel_settings("redis+sentinel://:s3cret@s1:26379,s2/prod/3")
    assert settings.sentinel is True
    assert settings.host == [("s1", 26379), ("s2", 26379)]
    assert (settings.sentinel_master, settings.database, settings.password) == (
        "prod",
        3,
        "s3cret",
    )


async def test_a_task_left_running_by_a_dead_worker_runs_again(admin, redis, run_jobs):
    # given an import whose task a worker claimed and then died holding...
    task_gid, task = await _import(admin)
    await Task.filter(id=task.id).update(
        status=TaskStatus.RUNNING, started_at=datetime.now(UTC)
    )
    # ...while arq ran the job once more, found the task held, and finished it
    await run_jobs()
    assert (await Task.get(id=task.id)).status is TaskStatus.RUNNING
    # when the lease runs out and the reconciler passes
    await Task.filter(id=task.id).update(
        started_at=datetime.now(UTC) - timedelta(hours=1)
    )
    assert await reconcile_tasks({"redis": redis}) == 1
    await run_jobs()
    # then the import ran to the end
    assert await _outcome(admin, task_gid) == {
        "status": "SUCCEEDED",
        "email": {"subject": "Lost"},
    }


async def test_a_recently_claimed_task_is_left_to_its_worker(admin, redis):
    from app.tasks.models import TaskKind

    task = await Task.create(
        organization_id=admin.organization_id,
        kind=TaskKind.IMPORT_EMAIL,
        status=TaskStatus.RUNNING,
        started_at=datetime.now(UTC),
    )
    await Task.filter(id=task.id).update(
        created_at=datetime.now(UTC) - timedelta(hours=1)
    )
    assert await reconcile_tasks({"redis": redis}) == 0


async def test_a_lost_job_behind_pages_of_waiting_ones_is_found(
    admin, redis, monkeypatch
):
    # given old tasks whose jobs wait in arq (deferred sends), more than a page,
    # and after them in the reconciler's order one whose job was lost
    monkeypatch.setattr(reconcile, "PAGE", 2)
    old = datetime.now(UTC) - timedelta(hours=1)
    for n in range(5):
        waiting = await Task.create(
            id=_ordered_id(n),
            organization_id=admin.organization_id,
            kind=TaskKind.SEND_EMAIL,
        )
        assert await enqueue_task(redis, waiting, defer_until=old + timedelta(days=1))
    lost = await Task.create(
        id=_ordered_id(255),
        organization_id=admin.organization_id,
        kind=TaskKind.IMPORT_EMAIL,
    )
    await Task.all().update(created_at=old)
    # when the reconciler runs, then it enqueued the lost one (and only that one)
    assert await reconcile_tasks({"redis": redis}) == 1
    assert await redis.zscore(queue_name(), str(lost.id)) is not None


async def test_a_job_taken_by_a_worker_that_died_before_claiming_runs_again(
    admin, redis, run_jobs
):
    # given an import whose job a worker took (arq's in-progress key) and then
    # died before claiming the task: QUEUED, and a while old
    task_gid, task = await _import(admin)
    key = in_progress_key_prefix + str(task.id)
    await redis.psetex(key, 310_000, b"1")  # job_timeout + 10 s, as arq sets it
    await Task.filter(id=task.id).update(
        created_at=datetime.now(UTC) - timedelta(hours=1)
    )
    # when the reconciler runs, then the key is gone and the job runs at once
    assert await reconcile_tasks({"redis": redis}) == 1
    assert not await redis.exists(key)
    await run_jobs()
    assert (await _outcome(admin, task_gid))["status"] == "SUCCEEDED"


def _ordered_id(rank: int) -> uuid.UUID:
    """A fresh id that sorts by `rank` (arq job ids outlive a test in Redis)."""
    return uuid.UUID(int=(rank << 120) | uuid.uuid4().int >> 8)
