"""cancelTask on tasks that have not started, and on those that have."""

import uuid

import pytest

from app.accounts.models import Role
from app.core import ids
from app.tasks.models import Task, TaskKind, TaskStatus
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

# --------------------------------------------------------------------------- tasks


CANCEL_TASK = f"""mutation($id: ID!) {{ cancelTask(input: {{id: $id}}) {{
  __typename ... on Task {{ id status finishedAt }} {ERROR} }} }}"""


async def new_task(admin, status: TaskStatus = TaskStatus.QUEUED) -> Task:
    return await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.IMPORT_EMAIL, status=status
    )


async def test_cancel_task_cancels_a_queued_task(admin):
    # given a queued task
    task = await new_task(admin)
    # when an annotator cancels it
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await mutate(annotator, CANCEL_TASK, {"id": gid_of(task)})
    # then it is CANCELLED and finished
    assert result["__typename"] == "Task", result
    assert result["status"] == "CANCELLED" and result["finishedAt"] is not None
    row = await Task.get(id=task.id)
    assert row.status == TaskStatus.CANCELLED and row.finished_at is not None


async def test_cancelling_a_cancelled_task_again_is_harmless(admin):
    task = await new_task(admin)
    first = await mutate(admin, CANCEL_TASK, {"id": gid_of(task)})
    second = await mutate(admin, CANCEL_TASK, {"id": gid_of(task)})
    assert second == first


@pytest.mark.parametrize(
    "status", [TaskStatus.SUCCEEDED, TaskStatus.RUNNING, TaskStatus.FAILED]
)
async def test_cancel_task_refuses_a_started_task(admin, status):
    # given a task a worker has started or finished
    task = await new_task(admin, status)
    # when it is cancelled
    result = await mutate(admin, CANCEL_TASK, {"id": gid_of(task)})
    # then it is a CONFLICT, and the task is unchanged
    assert_input_error(result, "CONFLICT", "id")
    assert status.value in result["message"]
    row = await Task.get(id=task.id)
    assert (row.status, row.finished_at) == (status, None)


async def test_cancel_task_of_an_unknown_id_is_not_found(admin):
    result = await mutate(admin, CANCEL_TASK, {"id": ids.encode("Task", uuid.uuid4())})
    assert_input_error(result, "NOT_FOUND", "id")
