"""No header value carries a line break of any kind: sendEmail refuses them (and the
mutations whose values end up in headers), and a row that has one anyway fails its
send with a code instead of crashing the job."""

import pytest

from app.core.validation import LINE_BREAKS
from app.mail.models import Email
from tests.graphql.mutation_documents import CREATE_TEMPLATE
from tests.helpers import ERROR, assert_input_error, gid_of, mutate, pk_of
from tests.outbox.sending import (
    outgoing_rows,
    queue_with_inbox,
    send,
    sent_task,
    task_of,
    to,
)

# The characters the issue names beyond CR and LF (which older tests cover).
ISSUE_CHARACTERS = {
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
}
ALL_BREAKS = {f"U+{ord(c):04X}": c for c in sorted(LINE_BREAKS)}


def _subject(ch: str) -> tuple[dict, str]:
    return {"templateValues": {"subject": f"Hi{ch}Bcc: v@evil.test"}}, (
        "templateValues.subject"
    )


def _template_value(ch: str) -> tuple[dict, str]:
    values = {"subject": "Hi {{ name }}", "name": f"x{ch}Bcc: v@evil.test"}
    return {"templateValues": values}, "templateValues.subject"


def _custom_header(ch: str) -> tuple[dict, str]:
    return {"headers": {"X-Ticket": f"42{ch}Bcc: v@evil.test"}}, "headers"


def _header_name(ch: str) -> tuple[dict, str]:
    return {"headers": {f"X-Ticket{ch}": "42"}}, "headers"


def _display_name(ch: str) -> tuple[dict, str]:
    return {"cc": [{"email": "y@client.test", "name": f"Y{ch}Bcc: v@evil"}]}, "cc"


def _address(ch: str) -> tuple[dict, str]:
    return {"bcc": to(f"y@client.test{ch}")}, "bcc"


# The issue's 18: its six characters in the subject, a template value that ends up
# in the subject, and a custom header value; then every line break in header names,
# display names and addresses.
CASES = [
    pytest.param(where, ch, id=f"{where.__name__[1:]}-{name}")
    for where in (_subject, _template_value, _custom_header)
    for name, ch in ISSUE_CHARACTERS.items()
] + [
    pytest.param(where, ch, id=f"{where.__name__[1:]}-{name}")
    for where in (_header_name, _display_name, _address)
    for name, ch in ALL_BREAKS.items()
]


@pytest.mark.parametrize(("where", "ch"), CASES)
async def test_a_line_break_where_a_header_is_made_is_an_input_error(
    admin, smtp_sink, run_jobs, where, ch
):
    # given a valid send, with the character in one place that becomes a header
    queue = await queue_with_inbox(admin.organization_id)
    changes, field = where(ch)
    request = {
        "queue": gid_of(queue),
        "to": to("x@client.test"),
        "templateValues": {"subject": "Hello", "message": "<p>Hi</p>"},
        **changes,
    }
    # when it is sent
    result = await send(admin, **request)
    # then it is an InputError naming the field, and nothing is stored or sent
    assert_input_error(result, "BAD_REQUEST", field)
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0


async def test_a_header_value_without_line_breaks_still_goes_out(
    admin, smtp_sink, run_jobs
):
    # given the characters nearest to line breaks that are not (tab, U+0084, U+202F)
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=[{"email": "x@client.test", "name": "X\u202fY"}],
        templateValues={"subject": "Tab\there \u0084 ok"},
        headers={"X-Ticket": "42\t43"},
    )
    await run_jobs()
    assert (await task_of(admin, task["id"]))["status"] == "SUCCEEDED"
    assert len(smtp_sink.received) == 1


CREATE_INBOX = f"""mutation($input: CreateInboxInput!) {{ createInbox(input: $input) {{
  __typename ... on Inbox {{ id }} {ERROR} }} }}"""


@pytest.mark.parametrize("ch", ["\r", "\x1d", "\x1e", "\u2028"], ids=repr)
async def test_stored_subjects_and_inbox_names_refuse_line_breaks(admin, ch):
    # a template's subject and an inbox's name (the From display name) are headers
    queue = await queue_with_inbox(admin.organization_id, inbox=None)
    template = await mutate(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "T", "subject": f"Hi{ch}Bcc: v@evil.test", "message": ""}},
    )
    assert_input_error(template, "BAD_REQUEST", "subject")
    inbox = await mutate(
        admin,
        CREATE_INBOX,
        {
            "input": {
                "queue": gid_of(queue),
                "email": "new@acme.test",
                "name": f"New{ch}Bcc: v@evil.test",
            }
        },
    )
    assert_input_error(inbox, "BAD_REQUEST", "name")


@pytest.mark.parametrize(
    "subject", ["Hi\r\nBcc: v@evil.test", "Hi\x0bBcc: v@evil.test", "Hi\u2028x"]
)
async def test_a_stored_subject_with_a_line_break_fails_the_send_with_a_code(
    admin, smtp_sink, run_jobs, subject
):
    # given a queued email whose row holds a subject the mutation would refuse (as a
    # row written before the check could)
    queue = await queue_with_inbox(admin.organization_id)
    task = await sent_task(
        admin, queue=gid_of(queue), to=to("x@client.test"), templateValues={}
    )
    await Email.filter(id=pk_of(task["email"]["id"])).update(subject=subject)
    # when the worker runs, twice
    await run_jobs()
    await run_jobs()
    # then nothing was sent; the task FAILED with a code, the email FAILED, and its
    # last try says why
    assert smtp_sink.attempts == 0
    done = await task_of(admin, task["id"])
    assert done["status"] == "FAILED", done
    assert done["error"]["code"] == "BAD_REQUEST"
    assert done["attempts"] == 1
    assert done["email"]["deliveryStatus"] == "FAILED"
    [last] = done["email"]["lastTries"]
    assert last["status"] == "MESSAGE" and "line" in last["detail"]
