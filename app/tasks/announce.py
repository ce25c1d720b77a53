"""TASK_FINISHED: told once, by whatever moved a task into a terminal state (the
job skeleton's finish step, cancelTask), in the transaction that moved it."""

from app.tasks.models import Task
from app.webhooks.events import emit, task_data
from app.webhooks.models import WebhookEvent


async def announce_finished(task: Task) -> list[int]:
    """The webhook deliveries to enqueue once the transaction commits."""
    return await emit(
        WebhookEvent.TASK_FINISHED,
        organization_id=task.organization_id,
        data=task_data(
            task_id=task.id,
            kind=task.kind.value,
            status=task.status.value,
            error_code=task.error_code,
            email_id=task.email_id,
        ),
    )
