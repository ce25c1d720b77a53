"""/metrics moving when work happens: imports, sends, SMTP failures, jobs, GraphQL
operations, and the queue depth counted at scrape time."""

from prometheus_client.parser import text_string_to_metric_families

from tests import mailcorpus as mc
from tests.helpers import gid_of
from tests.intake.importing import imported, intake_inbox, queued_task
from tests.outbox.sending import queue_with_inbox, sent_task, task_of, to
from tests.webhooks.receiver import create_webhook, import_email, receiver

__all__ = ["receiver"]  # the fixture


async def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def rise(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_an_import_and_a_send_move_their_counters(
    admin, client, run_jobs, smtp_sink
):
    # Given the counters as they are
    await intake_inbox(admin.organization_id)
    queue = await queue_with_inbox(admin.organization_id)
    before = await scrape(client)

    # When a message is imported and one is sent
    task = await imported(admin, run_jobs, mc.simple())
    assert task["status"] == "SUCCEEDED"
    sending = await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    assert (await task_of(admin, sending["id"]))["status"] == "SUCCEEDED"
    after = await scrape(client)

    # Then each counter rose by one
    imports = "mailroom_imports_total"
    assert rise(before, after, imports, source="api", outcome="new") == 1
    assert rise(before, after, "mailroom_sends_total", outcome="sent") == 1
    jobs = "mailroom_jobs_total"
    assert rise(before, after, jobs, kind="IMPORT_EMAIL", outcome="succeeded") == 1
    assert rise(before, after, jobs, kind="SEND_EMAIL", outcome="sent") == 1
    assert rise(before, after, "mailroom_job_seconds_count", kind="SEND_EMAIL") == 1
    ops = "mailroom_graphql_operations_total"
    assert rise(before, after, ops, operation="importEmail", outcome="ok") == 1
    assert rise(before, after, ops, operation="sendEmail", outcome="ok") == 1
    assert rise(before, after, "mailroom_smtp_failures_total", kind="permanent") == 0


async def test_an_smtp_refusal_counts_as_a_failure(admin, client, run_jobs, smtp_sink):
    smtp_sink.data_replies = ["554 5.7.1 Message rejected as spam"]
    queue = await queue_with_inbox(admin.organization_id)
    before = await scrape(client)
    await sent_task(admin, queue=gid_of(queue), to=to("x@client.test"))
    await run_jobs()
    after = await scrape(client)
    assert rise(before, after, "mailroom_smtp_failures_total", kind="permanent") == 1
    assert rise(before, after, "mailroom_sends_total", outcome="failed") == 1
    jobs = "mailroom_jobs_total"
    assert rise(before, after, jobs, kind="SEND_EMAIL", outcome="failed") == 1


async def test_queue_depth_is_counted_at_scrape_time(admin, client, run_jobs):
    await intake_inbox(admin.organization_id)
    tasks = "mailroom_tasks"
    queued = {"kind": "IMPORT_EMAIL", "status": "QUEUED"}

    # Given two imports queued and no worker yet
    await queued_task(admin, mc.simple(subject="one"))
    await queued_task(admin, mc.simple(subject="two"))
    waiting = await scrape(client)
    assert waiting[(tasks, frozenset(queued.items()))] == 2
    assert waiting[("mailroom_queue_jobs", frozenset())] == 2

    # When the worker has run them, the queue is empty again
    await run_jobs()
    done = await scrape(client)
    assert done[(tasks, frozenset(queued.items()))] == 0
    assert done[("mailroom_queue_jobs", frozenset())] == 0


async def test_graphql_errors_are_counted_by_outcome(admin, client):
    before = await scrape(client)
    await admin.gql("{ viewer { nope } }")
    await admin.gql("{ viewer { id } }")
    after = await scrape(client)
    ops = "mailroom_graphql_operations_total"
    assert rise(before, after, ops, operation="(invalid)", outcome="client_error") == 1
    assert rise(before, after, ops, operation="viewer", outcome="ok") == 1


async def test_webhook_delivery_tries_are_counted(
    admin, client, inbox, receiver, run_jobs
):
    # Given a receiver that fails the first try
    receiver.replies = [500]
    await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    before = await scrape(client)
    # When the event is delivered
    await import_email(admin, "Counted")
    await run_jobs()
    # Then one try was retried and one delivered
    after = await scrape(client)
    deliveries = "mailroom_webhook_deliveries_total"
    event = "TASK_FINISHED"
    assert rise(before, after, deliveries, event=event, outcome="retrying") == 1
    assert rise(before, after, deliveries, event=event, outcome="delivered") == 1
