"""autoLinked: an incoming reply that lands in a thread whose emails are linked to an
external object inherits the link, marked autoLinked; links made by attachEmail are
not."""

from tests.triage.api import attach, email_state, import_message


async def test_a_reply_into_a_linked_thread_inherits_the_link(admin, world, run_jobs):
    # given an imported email linked to a ticket by attachEmail
    first = await import_message(
        admin, run_jobs, world, subject="Invoice 20", message_id="<inv20@vendor.test>"
    )
    result = await attach(admin, first, linkedObject={"type": "ticket", "id": "T-9"})
    assert result["__typename"] == "Task", result
    await run_jobs()

    # when a reply to it arrives, and then an unrelated message
    reply = await import_message(
        admin,
        run_jobs,
        world,
        subject="Re: Invoice 20",
        message_id="<re-inv20@vendor.test>",
        in_reply_to="<inv20@vendor.test>",
    )
    other = await import_message(
        admin, run_jobs, world, subject="Invoice 21", message_id="<inv21@vendor.test>"
    )

    # then the reply is in the thread and linked to the ticket, automatically
    reply_data = await email_state(admin, reply)
    assert reply_data["emailThread"] == {
        "id": (await email_state(admin, first))["emailThread"]["id"]
    }
    assert reply_data["linkedObjects"] == [
        {"type": "ticket", "id": "T-9", "autoLinked": True}
    ]
    # and the link made by hand stays a manual one; the other email has none
    assert (await email_state(admin, first))["linkedObjects"] == [
        {"type": "ticket", "id": "T-9", "autoLinked": False}
    ]
    assert (await email_state(admin, other))["linkedObjects"] == []

    # when the reply is imported again (a duplicate) nothing is linked twice
    again = await import_message(
        admin,
        run_jobs,
        world,
        subject="Re: Invoice 20",
        message_id="<re-inv20@vendor.test>",
        in_reply_to="<inv20@vendor.test>",
    )
    assert again.id == reply.id
    assert len((await email_state(admin, reply))["linkedObjects"]) == 1
