"""An outgoing email's date, receivedAt, size, headers and inbox: fixed when it is
stored, completed when it is composed for delivery, and the same as what was sent."""

from datetime import UTC, datetime, timedelta

from tests.helpers import gid, gid_of
from tests.intake.importing import download
from tests.outbox.sending import (
    INBOX,
    make_incoming,
    parse,
    queue_with_inbox,
    run_due_jobs,
    sent_task,
    task_of,
    to,
)

FIELDS = """
query($id: ID!) {
  email(id: $id) {
    date receivedAt size headers { name value } inbox { id email }
  }
}"""

SENT_FROM = """
query($inbox: [ID!]) {
  emails(filter: {inbox: $inbox, type: OUTGOING}) { nodes { id } }
}"""


async def fields(admin, email_id: str) -> dict:
    return (await admin.data(FIELDS, {"id": email_id}))["email"]


async def test_a_sent_email_has_the_date_size_and_headers_it_was_sent_with(
    admin, smtp_sink, run_jobs
):
    # given a queue whose inbox sends the email
    queue = await queue_with_inbox(admin.organization_id)
    before = datetime.now(UTC).replace(microsecond=0)
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"subject": "Statement"},
        headers={"X-Campaign": "march"},
    )
    email_id = task["email"]["id"]
    # when it is stored: its date is set, it was received by no one, belongs to the
    # inbox it is sent from, and has no raw message yet
    queued = await fields(admin, email_id)
    date = datetime.fromisoformat(queued["date"])
    assert before <= date <= datetime.now(UTC)
    assert queued["receivedAt"] is None
    assert queued["inbox"]["email"] == INBOX
    assert (queued["size"], queued["headers"]) == (None, None)

    # when it is delivered
    await run_jobs()
    assert (await task_of(admin, task["id"]))["status"] == "SUCCEEDED"
    [received] = smtp_sink.received
    message = parse(received.data)
    sent = await fields(admin, email_id)
    # then the Date sent is its date, and size and headers are the message's
    assert message["Date"].datetime == date
    assert sent["date"] == queued["date"] and sent["receivedAt"] is None
    stored = await download(admin, f"/content/emails/{email_id}")
    assert sent["size"] == len(stored.content) > 0
    names = [h["name"] for h in sent["headers"]]
    assert names[:4] == ["From", "To", "Subject", "Date"]
    assert {"name": "X-Campaign", "value": "march"} in sent["headers"]
    assert {"name": "Subject", "value": "Statement"} in sent["headers"]
    assert {h["name"]: h["value"] for h in sent["headers"]}["Message-ID"] == (
        message["Message-ID"]
    )


async def test_a_scheduled_email_is_dated_when_it_is_to_be_sent(admin, smtp_sink):
    queue = await queue_with_inbox(admin.organization_id)
    send_at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), sendAt=send_at.isoformat()
    )
    email = await fields(admin, task["email"]["id"])
    assert datetime.fromisoformat(email["date"]) == send_at


async def test_filtering_by_inbox_finds_the_mail_sent_from_it(admin, smtp_sink, redis):
    # given two queues, each with an inbox, and a reply to mail of the first
    queue = await queue_with_inbox(admin.organization_id)
    other = await queue_with_inbox(admin.organization_id, inbox="sales@acme.test")
    incoming = await make_incoming(
        admin.organization_id, queue, subject="Invoice", message_id="<i@vendor.test>"
    )
    reply = await sent_task(admin, parentEmail=gid_of(incoming), to=to("a@v.test"))
    fresh = await sent_task(admin, queue=gid_of(queue), to=to("b@v.test"))
    elsewhere = await sent_task(admin, queue=gid_of(other), to=to("c@v.test"))
    await run_due_jobs(redis)
    # when the emails are filtered by each inbox
    [ap] = [i for i in (await queue.inboxes.all())]
    [sales] = [i for i in (await other.inboxes.all())]

    async def sent_from(*inboxes) -> set[str]:
        ids = [gid("Inbox", i.id) for i in inboxes]
        data = await admin.data(SENT_FROM, {"inbox": ids})
        return {n["id"] for n in data["emails"]["nodes"]}

    # then each finds the mail sent from its address, and a list finds both
    assert await sent_from(ap) == {reply["email"]["id"], fresh["email"]["id"]}
    assert await sent_from(sales) == {elsewhere["email"]["id"]}
    assert await sent_from(ap, sales) == {
        reply["email"]["id"],
        fresh["email"]["id"],
        elsewhere["email"]["id"],
    }
