"""What a plain send costs in SQL (bench/LEVERS.md, "sendEmail → SENT, second pass"):
the sendEmail request and its send job each send a fixed list of statements, none
for what the send does not name."""

from app.core import ids
from app.outbox.jobs import send_email_job
from tests.helpers import gid, mutate
from tests.outbox.sending import queue_with_inbox, to

SEND = """
mutation($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on Task { id } }
}"""


async def test_a_plain_send_is_nine_statements_and_its_job_seven(
    admin, smtp_sink, sql_counter
):
    # given a queue with an inbox, and a token already used once (its first use
    # writes last_used_at)
    queue = await queue_with_inbox(admin.organization_id)

    async def send(n: int) -> dict:
        input = {
            "queue": gid("Queue", queue.id),
            "to": to("bob@client.test"),
            "subject": f"Statement {n}",
            "message": f"<p>Your statement <b>{n}</b> is ready.</p>",
        }
        return await mutate(admin, SEND, {"input": input})

    await send(0)
    # when one more is sent, and its job runs
    sql_counter.statements.clear()
    task = await send(1)
    of_mutation = list(sql_counter.statements)
    sql_counter.statements.clear()
    assert await send_email_job({}, str(ids.decode(task["id"], "Task"))) == "sent"
    of_job = list(sql_counter.statements)
    # then: the token with its user, the organization, the queue, its inbox; the
    # thread, the email, its participants, the thread's root, the task
    assert len(of_mutation) == 9, "\n".join(of_mutation)
    # claim and read the task, read the email, SENDING, SENT, the webhooks (once
    # for EMAIL_SENT and TASK_FINISHED), the task's end
    assert len(of_job) == 7, "\n".join(of_job)
