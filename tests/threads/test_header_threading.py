"""Threading imported mail by its headers: In-Reply-To, References, and parents
that arrive after their children."""

from typing import Any

from app.mail.models import EmailThread
from tests.helpers import pk_of
from tests.intake.importing import (
    intake_inbox,
)
from tests.threads.threading_api import ALICE, BOB, CAROL, arrive, thread, thread_emails

EMAIL = """
query Email($id: ID!) {
  email(id: $id) {
    id subject parent { id } emailThread { id }
    threadMatch { method matchedEmail { id } }
  }
}"""


async def email(actor: Any, email_id: str) -> dict[str, Any]:
    return (await actor.data(EMAIL, {"id": email_id}))["email"]


# ---------------------------------------------------------------------------
# Headers


async def test_reply_joins_its_parent_by_in_reply_to(admin, run_jobs):
    # given an inbox and a first message
    await intake_inbox(admin.organization_id)
    first = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Invoice 7",
        message_id="<a1@vendor.test>",
    )
    assert first["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    # when a reply with In-Reply-To (and a different subject) arrives
    reply = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="about that",
        message_id="<a2@vendor.test>",
        in_reply_to="<a1@vendor.test>",
        references="<a1@vendor.test>",
    )
    # then it joins the first message's thread, with the first as its parent
    assert reply["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": first["id"]},
    }
    assert reply["parent"] == {"id": first["id"]}
    assert reply["emailThread"] == first["emailThread"]
    data = await thread(admin, first["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 2
    assert data["hasReplies"] is True
    assert data["rootEmail"] == {"id": first["id"]}


async def test_references_alone_thread_to_the_last_referenced_email_we_have(
    admin, run_jobs
):
    # given a message and a reply to it
    await intake_inbox(admin.organization_id)
    first = await arrive(
        admin, run_jobs, sender=ALICE, subject="Order", message_id="<r1@vendor.test>"
    )
    second = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="Re: Order",
        message_id="<r2@vendor.test>",
        in_reply_to="<r1@vendor.test>",
    )
    # when a message arrives with References only (one unknown id among them)
    third = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Something else",
        message_id="<r3@vendor.test>",
        references="<unknown@x.test> <r1@vendor.test> <r2@vendor.test>",
    )
    # then it threads by REFERENCES under the last email of References we have
    assert third["threadMatch"] == {
        "method": "REFERENCES",
        "matchedEmail": {"id": second["id"]},
    }
    assert third["parent"] == {"id": second["id"]}
    assert third["emailThread"] == first["emailThread"]
    assert (await thread(admin, first["emailThread"]["id"]))["emails"][
        "totalCount"
    ] == 3


async def test_a_child_that_arrives_first_is_relinked_when_its_parent_arrives(
    admin, run_jobs
):
    # given a reply that arrived before the message it answers (different senders and
    # subjects, so nothing but the headers connects them)
    await intake_inbox(admin.organization_id)
    child = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="Re: Quote 5",
        message_id="<c1@third.test>",
        in_reply_to="<p1@other-vendor.test>",
        references="<p1@other-vendor.test>",
    )
    assert child["threadMatch"]["method"] == "NEW_THREAD"
    old_thread = child["emailThread"]["id"]
    # when the parent arrives
    parent = await arrive(
        admin,
        run_jobs,
        sender=BOB,
        subject="Quote 5 (revised)",
        message_id="<p1@other-vendor.test>",
    )
    # then the child is re-linked: same thread as the parent, parent set, by IN_REPLY_TO
    relinked = await email(admin, child["id"])
    assert relinked["parent"] == {"id": parent["id"]}
    assert relinked["emailThread"] == parent["emailThread"]
    assert relinked["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": parent["id"]},
    }
    # and the child's old thread is gone, the parent's thread holds both
    assert await thread(admin, old_thread) is None
    assert await EmailThread.filter(id=int(pk_of(old_thread))).count() == 0
    data = await thread(admin, parent["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 2
    assert {e["id"] for e in thread_emails(data)} == {child["id"], parent["id"]}
    assert data["hasReplies"] is True
    # and the root of the thread is the parent (the child has a parent now)
    assert data["rootEmail"] == {"id": parent["id"]}


async def test_a_grandchild_first_then_root_then_parent_ends_as_one_chain(
    admin, run_jobs
):
    # given a grandchild that arrives first, referencing the root and its parent
    await intake_inbox(admin.organization_id)
    grandchild = await arrive(
        admin,
        run_jobs,
        sender=CAROL,
        subject="x3",
        message_id="<g3@x.test>",
        in_reply_to="<g2@x.test>",
        references="<g1@x.test> <g2@x.test>",
    )
    # when the root arrives, and then the middle message
    root = await arrive(
        admin, run_jobs, sender=BOB, subject="x1", message_id="<g1@x.test>"
    )
    after_root = await email(admin, grandchild["id"])
    assert after_root["parent"] == {"id": root["id"]}
    assert after_root["threadMatch"]["method"] == "REFERENCES"
    middle = await arrive(
        admin,
        run_jobs,
        sender=ALICE,
        subject="x2",
        message_id="<g2@x.test>",
        in_reply_to="<g1@x.test>",
    )
    # then the chain is root > middle > grandchild, all in one thread
    assert middle["parent"] == {"id": root["id"]}
    final = await email(admin, grandchild["id"])
    assert final["parent"] == {"id": middle["id"]}
    assert final["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": middle["id"]},
    }
    assert final["emailThread"] == root["emailThread"] == middle["emailThread"]
    data = await thread(admin, root["emailThread"]["id"])
    assert data["emails"]["totalCount"] == 3
    assert await EmailThread.filter(organization_id=admin.organization_id).count() == 1
