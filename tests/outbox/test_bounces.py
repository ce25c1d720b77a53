"""Delivery status notifications for our own outgoing mail: sendEmail sends to the
SMTP sink, then the receiving side's DSN (multipart/report) is imported. `Action:
failed` marks the sent email BOUNCED with the DSN's status and diagnostic and emits
EMAIL_BOUNCED; anything else, or a DSN about mail that is not ours, changes nothing
and imports as mail like any other."""

from typing import Any

from app.webhooks.models import WebhookDelivery, WebhookEvent
from tests.helpers import Actor, gid_of
from tests.intake.importing import imported_email
from tests.outbox.sending import INBOX, queue_with_inbox, sent_task, task_of, to
from tests.webhooks import receiver as hooks
from tests.webhooks.receiver import create_webhook

EMAIL = """query($id: ID!) { node(id: $id) { ... on Email {
  deliveryStatus bounce { status diagnostic recipient at } } } }"""

webhook_receiver = hooks.receiver  # the webhook suite's fixture, under this name


def dsn(
    original_message_id: str,
    *,
    action: str = "failed",
    to_address: str = INBOX,
    message_id: str = "<dsn-1@mx.client.test>",
) -> bytes:
    """A DSN as Postfix writes one: text, delivery-status, the returned headers."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.client.test>
To: {to_address}
Subject: Undelivered Mail Returned to Sender
Message-ID: {message_id}
Date: Mon, 01 Dec 2025 12:00:00 +0000
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered to one or more recipients.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.test
Arrival-Date: Mon, 01 Dec 2025 11:59:58 +0000

Final-Recipient: rfc822; nobody@client.test
Original-Recipient: rfc822;nobody@client.test
Action: {action}
Status: 5.1.1
Remote-MTA: dns; mx.client.test
Diagnostic-Code: smtp; 550 5.1.1 <nobody@client.test>:
 user unknown

--b1
Content-Type: text/rfc822-headers

From: Acme AP <{INBOX}>
To: nobody@client.test
Subject: Invoice 42
Message-ID: {original_message_id}

--b1--
""".replace("\n", "\r\n").encode()


async def sent_email(actor: Actor, run_jobs: Any, inbox: str = INBOX) -> dict:
    queue = await queue_with_inbox(actor.organization_id, inbox=inbox)
    task = await sent_task(
        actor, queue=gid_of(queue), to=to("nobody@client.test"), subject="Invoice 42"
    )
    await run_jobs()
    email = (await task_of(actor, task["id"]))["email"]
    assert email["deliveryStatus"] == "SENT"
    return email


async def email_of(actor: Actor, email_id: str) -> dict:
    return (await actor.data(EMAIL, {"id": email_id}))["node"]


async def test_a_failed_dsn_marks_the_sent_email_bounced(
    admin, smtp_sink, run_jobs, webhook_receiver
):
    # given a webhook for bounces and an email delivered to the SMTP sink
    await create_webhook(admin, webhook_receiver.url, ["EMAIL_BOUNCED"])
    sent = await sent_email(admin, run_jobs)
    assert len(smtp_sink.received) == 1
    # when the recipient's server returns a DSN for it
    report = await imported_email(
        admin, run_jobs, recipient=INBOX, raw=dsn(sent["messageId"])
    )
    # then the sent email is BOUNCED, with what the DSN said
    bounced = await email_of(admin, sent["id"])
    assert bounced["deliveryStatus"] == "BOUNCED"
    bounce = bounced["bounce"]
    assert bounce["status"] == "5.1.1"
    assert bounce["diagnostic"] == "550 5.1.1 <nobody@client.test>: user unknown"
    assert bounce["recipient"] == "nobody@client.test"
    # and EMAIL_BOUNCED was emitted with the email's ids
    [delivery] = await WebhookDelivery.filter(event=WebhookEvent.EMAIL_BOUNCED)
    assert delivery.payload["data"]["email"] == {
        "id": sent["id"],
        "messageId": sent["messageId"],
        "bounce": {"status": "5.1.1", "detail": bounce["diagnostic"]},
    }
    # and the DSN itself is mail, threaded under the email it returns
    assert report["type"] == "INCOMING"
    assert report["parent"] == {"id": sent["id"]}
    assert report["emailThread"] == sent["emailThread"]
    outcomes = [p["outcome"] for p in report["parts"]]
    assert outcomes == [None, "BODY", "REPORT", "REPORT"]


async def test_a_delayed_dsn_changes_nothing(
    admin, smtp_sink, run_jobs, webhook_receiver
):
    await create_webhook(admin, webhook_receiver.url, ["EMAIL_BOUNCED"])
    sent = await sent_email(admin, run_jobs)
    await imported_email(
        admin, run_jobs, recipient=INBOX, raw=dsn(sent["messageId"], action="delayed")
    )
    still = await email_of(admin, sent["id"])
    assert still == {"deliveryStatus": "SENT", "bounce": None}
    assert not await WebhookDelivery.filter(event=WebhookEvent.EMAIL_BOUNCED).exists()


async def test_a_dsn_for_another_organizations_email_changes_nothing(
    admin, make_org, smtp_sink, run_jobs
):
    # given an email the other organization sent
    other = await make_org("Other")
    sent = await sent_email(other, run_jobs, inbox="ap@other.test")
    # when a DSN naming it reaches this organization's inbox
    await queue_with_inbox(admin.organization_id)
    await imported_email(admin, run_jobs, recipient=INBOX, raw=dsn(sent["messageId"]))
    # then the other organization's email is untouched
    still = await email_of(other, sent["id"])
    assert still == {"deliveryStatus": "SENT", "bounce": None}


async def test_a_dsn_for_an_unknown_message_imports_and_marks_nothing(
    admin, smtp_sink, run_jobs
):
    sent = await sent_email(admin, run_jobs)
    report = await imported_email(
        admin, run_jobs, recipient=INBOX, raw=dsn("<never-sent@acme.test>")
    )
    assert report["type"] == "INCOMING" and report["parent"] is None
    assert report["bodyTextPlain"].startswith("Your message could not be delivered")
    still = await email_of(admin, sent["id"])
    assert still == {"deliveryStatus": "SENT", "bounce": None}
