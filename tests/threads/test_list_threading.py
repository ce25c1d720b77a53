"""The subject fallback on mailing-list mail: the list's address is nobody's, a new
message is its own conversation, and a huge subject still makes a key."""

import pytest

from tests.intake.importing import imported_email, intake_inbox
from tests.threads.list_mail import LIST, list_message

DAN = "Dan <dan@people.test>"
EVE = "Eve <eve@people.test>"

LIST_KINDS = {
    "List-Id": {"List-Id": "Help <help.lists.example.org>"},
    "List-Post": {"List-Post": f"<mailto:{LIST}>"},
    "Precedence list": {"Precedence": "list"},
    "Precedence bulk": {"Precedence": "bulk"},
}


@pytest.mark.parametrize("headers", LIST_KINDS.values(), ids=LIST_KINDS.keys())
async def test_the_list_address_is_not_a_shared_participant(admin, run_jobs, headers):
    # given Dan's question through the list
    await intake_inbox(admin.organization_id)
    dan = await imported_email(
        admin,
        run_jobs,
        list_message(
            sender=DAN,
            subject="Re: help",
            message_id="<q1@people.test>",
            via_list=False,
            headers=headers,
        ),
    )
    # when Eve posts the same subject to the list, without threading headers
    eve = await imported_email(
        admin,
        run_jobs,
        list_message(
            sender=EVE,
            subject="Re: help",
            message_id="<q2@people.test>",
            via_list=False,
            headers=headers,
        ),
    )
    # then only the list's address was shared: two conversations
    assert eve["threadMatch"] == {"method": "NEW_THREAD", "matchedEmail": None}
    assert eve["emailThread"] != dan["emailThread"]


async def test_without_list_headers_the_address_is_a_person_like_any(admin, run_jobs):
    # given two messages to the same address, not through a list
    await intake_inbox(admin.organization_id)
    messages = [
        list_message(
            sender=sender,
            subject="Re: help",
            message_id=f"<p{n}@people.test>",
            to="team@partner.test",
            via_list=False,
        )
        for n, sender in enumerate((DAN, EVE))
    ]
    first = await imported_email(admin, run_jobs, messages[0])
    second = await imported_email(admin, run_jobs, messages[1])
    # then that shared recipient joins them
    assert second["emailThread"] == first["emailThread"]
    assert second["threadMatch"]["method"] == "SUBJECT_PARTICIPANTS"


async def test_a_person_writing_again_through_the_list_still_joins(admin, run_jobs):
    # given Dan's question through the list
    await intake_inbox(admin.organization_id)
    first = await imported_email(
        admin,
        run_jobs,
        list_message(sender=DAN, subject="help", message_id="<j1@people.test>"),
    )
    # when Dan follows up with "Re:" but a client that dropped the headers
    again = await imported_email(
        admin,
        run_jobs,
        list_message(
            sender=DAN, subject="[help] Re: help", message_id="<j2@people.test>"
        ),
    )
    # then Dan is the shared person
    assert again["emailThread"] == first["emailThread"]
    assert again["threadMatch"] == {
        "method": "SUBJECT_PARTICIPANTS",
        "matchedEmail": {"id": first["id"]},
    }


async def test_a_new_message_with_a_known_subject_starts_its_own_thread(
    admin, run_jobs
):
    # given Dan's "help" through the list
    await intake_inbox(admin.organization_id)
    first = await imported_email(
        admin,
        run_jobs,
        list_message(sender=DAN, subject="help", message_id="<n1@people.test>"),
    )
    # when Dan asks something else under the same subject (no Re:, no headers)
    second = await imported_email(
        admin,
        run_jobs,
        list_message(sender=DAN, subject="help", message_id="<n2@people.test>"),
    )
    # then it is a conversation of its own
    assert second["threadMatch"]["method"] == "NEW_THREAD"
    assert second["emailThread"] != first["emailThread"]


async def test_a_100_kb_subject_imports_and_threads(admin, run_jobs):
    # given a message whose subject is about 100 kB
    await intake_inbox(admin.organization_id)
    subject = "Re: " + "very long subject " * 6_000
    first = await imported_email(
        admin,
        run_jobs,
        list_message(
            sender=DAN, subject=subject, message_id="<big1@people.test>", via_list=False
        ),
    )
    assert len(first["subject"]) <= 998
    # when Dan sends the same subject again with more prefixes
    again = await imported_email(
        admin,
        run_jobs,
        list_message(
            sender=DAN,
            subject="RE: [x] " + subject,
            message_id="<big2@people.test>",
            via_list=False,
        ),
    )
    # then it imported and joined the first by subject
    assert again["emailThread"] == first["emailThread"]
    assert again["threadMatch"]["method"] == "SUBJECT_PARTICIPANTS"
