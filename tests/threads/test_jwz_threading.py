"""Threading as a mail client draws it (JWZ): the parent is the In-Reply-To target
we have, else the last References id we have; late emails re-link the ones that
arrived before them, whatever the order."""

from typing import Any

from app.mail.models import Email, EmailThread
from tests.intake.importing import imported_email, intake_inbox, queued_task
from tests.threads.list_mail import list_message
from tests.threads.test_header_threading import email as email_of
from tests.threads.threading_api import thread

DAN = "Dan <dan@people.test>"
EVE = "Eve <eve@people.test>"
FRANK = "Frank <frank@people.test>"


async def post(actor: Any, run_jobs: Any, **message: Any) -> dict[str, Any]:
    return await imported_email(actor, run_jobs, list_message(**message))


async def threads_of(organization_id: int) -> set[frozenset[str]]:
    """The organization's threads as sets of Message-IDs."""
    groups: dict[int, set[str]] = {}
    for message_id, thread_id in await Email.filter(
        organization_id=organization_id
    ).values_list("message_id", "email_thread_id"):
        groups.setdefault(thread_id, set()).add(message_id)
    return {frozenset(g) for g in groups.values()}


async def test_in_reply_to_names_the_parent_even_when_an_ancestor_is_newer(
    admin, run_jobs
):
    # given the middle message, then the root (imported after it)
    await intake_inbox(admin.organization_id)
    mid = await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: help",
        message_id="<m2@x.test>",
        in_reply_to="<m1@x.test>",
        references=["<m1@x.test>"],
    )
    root = await post(
        admin, run_jobs, sender=DAN, subject="help", message_id="<m1@x.test>"
    )
    # when a reply to the middle message arrives, naming both
    reply = await post(
        admin,
        run_jobs,
        sender=FRANK,
        subject="Re: help",
        message_id="<m3@x.test>",
        in_reply_to="<m2@x.test>",
        references=["<m1@x.test>", "<m2@x.test>"],
    )
    # then its parent is the one it answers, not the newest imported (the root)
    assert reply["parent"] == {"id": mid["id"]}
    assert reply["threadMatch"] == {
        "method": "IN_REPLY_TO",
        "matchedEmail": {"id": mid["id"]},
    }
    assert (await email_of(admin, mid["id"]))["parent"] == {"id": root["id"]}
    assert await threads_of(admin.organization_id) == {
        frozenset({"<m1@x.test>", "<m2@x.test>", "<m3@x.test>"})
    }


async def test_references_alone_name_the_last_known_id_not_the_newest(admin, run_jobs):
    # given b, then a (the root, imported last)
    await intake_inbox(admin.organization_id)
    b = await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: plan",
        message_id="<b@x.test>",
        references=["<a@x.test>"],
    )
    await post(admin, run_jobs, sender=DAN, subject="plan", message_id="<a@x.test>")
    # when c arrives with References a b <missing> and no In-Reply-To
    c = await post(
        admin,
        run_jobs,
        sender=FRANK,
        subject="Re: plan",
        message_id="<c@x.test>",
        references=["<a@x.test>", "<b@x.test>", "<gone@x.test>"],
    )
    # then its parent is b, the last id of References that we have
    assert c["parent"] == {"id": b["id"]}
    assert c["threadMatch"]["method"] == "REFERENCES"


async def test_replies_to_a_missing_message_share_a_thread_until_it_arrives(
    admin, run_jobs
):
    # given two replies to a message we do not have, from different people
    await intake_inbox(admin.organization_id)
    first = await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: build",
        message_id="<r1@x.test>",
        in_reply_to="<root@x.test>",
        references=["<root@x.test>"],
    )
    second = await post(
        admin,
        run_jobs,
        sender=FRANK,
        subject="Re: build",
        message_id="<r2@x.test>",
        in_reply_to="<root@x.test>",
        references=["<root@x.test>"],
    )
    # then they share one thread (JWZ's empty container), neither the other's parent
    assert second["emailThread"] == first["emailThread"]
    assert second["parent"] is None
    assert second["threadMatch"] == {
        "method": "REFERENCES",
        "matchedEmail": {"id": first["id"]},
    }
    # when the message they answer arrives
    root = await post(
        admin, run_jobs, sender=DAN, subject="build", message_id="<root@x.test>"
    )
    # then both hang off it, in one thread, the root its root
    for reply in (first, second):
        now = await email_of(admin, reply["id"])
        assert now["parent"] == {"id": root["id"]}
        assert now["threadMatch"]["method"] == "IN_REPLY_TO"
        assert now["emailThread"] == root["emailThread"]
    data = await thread(admin, root["emailThread"]["id"])
    assert data["rootEmail"] == {"id": root["id"]}
    assert data["emails"]["totalCount"] == 3
    assert await EmailThread.filter(organization_id=admin.organization_id).count() == 1


async def test_a_late_message_joins_the_two_threads_it_connects(admin, run_jobs):
    # given a root and a grandchild that names only its parent (which we lack)
    await intake_inbox(admin.organization_id)
    await post(admin, run_jobs, sender=DAN, subject="deploy", message_id="<d1@x.test>")
    grandchild = await post(
        admin,
        run_jobs,
        sender=FRANK,
        subject="Re: deploy",
        message_id="<d3@x.test>",
        in_reply_to="<d2@x.test>",
    )
    assert len(await threads_of(admin.organization_id)) == 2
    # when the middle message arrives (a reply to the root)
    middle = await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: deploy",
        message_id="<d2@x.test>",
        in_reply_to="<d1@x.test>",
        references=["<d1@x.test>"],
    )
    # then one thread holds the chain root > middle > grandchild
    assert await threads_of(admin.organization_id) == {
        frozenset({"<d1@x.test>", "<d2@x.test>", "<d3@x.test>"})
    }
    assert (await email_of(admin, grandchild["id"]))["parent"] == {"id": middle["id"]}


async def test_a_reply_whose_parent_is_missing_is_not_guessed_by_subject(
    admin, run_jobs
):
    # given Dan's "help" conversation, in which Eve answered
    await intake_inbox(admin.organization_id)
    await post(admin, run_jobs, sender=DAN, subject="help", message_id="<h1@x.test>")
    await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: help",
        message_id="<h2@x.test>",
        in_reply_to="<h1@x.test>",
        references=["<h1@x.test>"],
    )
    # when Eve answers Frank's "help" before Frank's message arrives
    answer = await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: help",
        message_id="<k2@x.test>",
        in_reply_to="<k1@x.test>",
        references=["<k1@x.test>"],
    )
    # then it waits in a thread of its own, not in Dan's (same subject, same Eve)
    assert answer["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    # and when Frank's message arrives, the two form Frank's conversation
    frank = await post(
        admin, run_jobs, sender=FRANK, subject="help", message_id="<k1@x.test>"
    )
    assert frank["threadMatch"]["method"] == "NEW_THREAD"
    assert await threads_of(admin.organization_id) == {
        frozenset({"<h1@x.test>", "<h2@x.test>"}),
        frozenset({"<k1@x.test>", "<k2@x.test>"}),
    }
    assert (await email_of(admin, answer["id"]))["parent"] == {"id": frank["id"]}


async def test_a_conversation_imported_all_at_once_is_one_thread(admin, run_jobs):
    # given a chain of replies queued together, newest first (the worker runs
    # several imports at a time: each sees the others, or re-links them)
    await intake_inbox(admin.organization_id)
    ids = [f"<c{n}@x.test>" for n in range(8)]
    for n in reversed(range(8)):
        raw = list_message(
            sender=(DAN, EVE, FRANK)[n % 3],
            subject="Re: race" if n else "race",
            message_id=ids[n],
            in_reply_to=ids[n - 1] if n else None,
            references=ids[:n] or None,
        )
        await queued_task(admin, raw)
    # when the worker runs them
    await run_jobs()
    # then they form one thread, each the reply of the one before
    assert await threads_of(admin.organization_id) == {frozenset(ids)}
    rows = await Email.filter(organization_id=admin.organization_id)
    by_pk = {e.id: e.message_id for e in rows}
    assert {e.message_id: by_pk.get(e.parent_id) for e in rows} == {
        ids[n]: ids[n - 1] if n else None for n in range(8)
    }


async def test_the_statements_of_an_import_do_not_grow_with_its_thread(
    admin, run_jobs, sql_counter
):
    # given two conversations, of 3 and of 30 messages, every reply naming the root
    await intake_inbox(admin.organization_id)

    async def conversation(tag: str, size: int) -> list[str]:
        ids = [f"<{tag}{n}@x.test>" for n in range(size)]
        for n in range(size):
            raw = list_message(
                sender=(DAN, EVE)[n % 2],
                subject="Re: load" if n else "load",
                message_id=ids[n],
                in_reply_to=ids[n - 1] if n else None,
                references=ids[:n] or None,
            )
            await queued_task(admin, raw)
        await run_jobs()
        return ids

    async def statements_of_a_reply(ids: list[str]) -> int:
        raw = list_message(
            sender=FRANK,
            subject="Re: load",
            message_id=ids[0].replace("0@", "last@"),
            in_reply_to=ids[-1],
            references=ids,
        )
        await queued_task(admin, raw)
        sql_counter.statements.clear()
        await run_jobs()
        return len(sql_counter.statements)

    short = await statements_of_a_reply(await conversation("s", 3))
    long = await statements_of_a_reply(await conversation("l", 30))
    # then a reply costs as many statements in either (the lookups are bounded)
    assert long == short, (short, long)


async def test_headers_take_a_subject_guess_back(admin, run_jobs):
    # given Dan's "plan", and Dan's headerless "Re: plan" guessed into it by subject
    await intake_inbox(admin.organization_id)
    first = await post(
        admin, run_jobs, sender=DAN, subject="plan", message_id="<g1@x.test>"
    )
    guessed = await post(
        admin, run_jobs, sender=DAN, subject="Re: plan", message_id="<g2@x.test>"
    )
    assert guessed["threadMatch"]["method"] == "SUBJECT_PARTICIPANTS"
    assert guessed["emailThread"] == first["emailThread"]
    # and Frank's answer to it in another thread, by References only
    other = await post(
        admin, run_jobs, sender=FRANK, subject="budget", message_id="<o1@x.test>"
    )
    # when Eve answers Frank naming the guessed message as an ancestor
    await post(
        admin,
        run_jobs,
        sender=EVE,
        subject="Re: budget",
        message_id="<o2@x.test>",
        in_reply_to="<o1@x.test>",
        references=["<g2@x.test>", "<o1@x.test>"],
    )
    # then the guessed message leaves Dan's thread for the one its headers name
    assert await threads_of(admin.organization_id) == {
        frozenset({"<g1@x.test>"}),
        frozenset({"<g2@x.test>", "<o1@x.test>", "<o2@x.test>"}),
    }
    moved = await email_of(admin, guessed["id"])
    assert moved["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    assert (await email_of(admin, other["id"]))["emailThread"] == moved["emailThread"]
