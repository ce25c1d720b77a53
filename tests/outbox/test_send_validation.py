"""sendEmail's validation: nothing is stored, nothing reaches the server."""

import pytest

from app.documents.models import Annotation
from tests.factories import make_document
from tests.helpers import gid, gid_of
from tests.outbox.sending import (
    LIMITS,
    PDF,
    SEND,
    make_incoming,
    outgoing_rows,
    queue_with_inbox,
    send,
    sent_task,
    to,
)

# ---------------------------------------------------------------------------
# Validation: nothing is stored, nothing reaches the server


def _addresses(n: int, domain: str = "client.test") -> list[dict[str, str]]:
    return [{"email": f"r{i}@{domain}"} for i in range(n)]


BAD_INPUTS = {
    "41 recipients": (
        {
            "to": _addresses(20),
            "cc": _addresses(20, "cc.test"),
            "bcc": to("one-too-many@bcc.test"),
        },
        "to",
    ),
    "41 bcc": ({"to": [], "bcc": _addresses(41)}, "to"),
    "no recipient": ({"to": [], "cc": [], "bcc": []}, "to"),
    "bad address": ({"cc": to("not-an-address")}, "cc"),
    "address without domain dot": ({"bcc": to("x@localhost")}, "bcc"),
    "address with CRLF": ({"to": to("x@client.test\r\nBcc: v@evil.test")}, "to"),
    "name with CRLF": (
        {"to": [{"email": "x@client.test", "name": "X\r\nBcc: v@evil.test"}]},
        "to",
    ),
    "CRLF in subject": (
        {"templateValues": {"subject": "Hi\r\nBcc: v@evil.test"}},
        "templateValues.subject",
    ),
    "LF in subject": (
        {"templateValues": {"subject": "Hi\nX-Injected: 1"}},
        "templateValues.subject",
    ),
    "CRLF via a custom value": (
        {
            "templateValues": {
                "subject": "Hi {{ name }}",
                "name": "x\r\nBcc: v@evil.test",
            }
        },
        "templateValues.subject",
    ),
    "CRLF in a header value": (
        {"headers": {"X-Ticket": "42\r\nBcc: v@evil.test"}},
        "headers",
    ),
    "reserved header Bcc": ({"headers": {"Bcc": "v@evil.test"}}, "headers"),
    "reserved header From": ({"headers": {"from": "boss@acme.test"}}, "headers"),
    "reserved header Message-ID": (
        {"headers": {"Message-ID": "<x@y.test>"}},
        "headers",
    ),
    "bad header name": ({"headers": {"X Bad:Name": "1"}}, "headers"),
    "non-string header value": ({"headers": {"X-Count": 3}}, "headers"),
    "template syntax error in message": (
        {"templateValues": {"message": "<p>{{ oops </p>"}},
        "templateValues.message",
    ),
    "template syntax error in subject": (
        {"templateValues": {"subject": "{% if %}"}},
        "templateValues.subject",
    ),
    "oversize message": (
        {"templateValues": {"message": "<p>" + "x" * (256 * 1024) + "</p>"}},
        "templateValues.message",
    ),
    "oversize subject": (
        {"templateValues": {"subject": "s" * 999}},
        "templateValues.subject",
    ),
    "sendBefore in the past": (
        {"sendBefore": "2020-01-01T00:00:00+00:00"},
        "sendBefore",
    ),
    "sendAt after sendBefore": (
        {
            "sendAt": "2999-01-02T00:00:00+00:00",
            "sendBefore": "2999-01-01T00:00:00+00:00",
        },
        "sendAt",
    ),
    "no queue and no parent": ({"queue": None}, "queue"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
async def test_invalid_send_is_refused_and_nothing_is_stored_or_sent(
    admin, smtp_sink, run_jobs, case
):
    # given a valid send request, spoiled in one way
    queue = await queue_with_inbox(admin.organization_id)
    changes, field = BAD_INPUTS[case]
    request = {
        "queue": gid_of(queue),
        "to": to("x@client.test"),
        "templateValues": {"subject": "Hello", "message": "<p>Hi</p>"},
        **changes,
    }
    # when it is sent
    result = await send(admin, **request)
    # then it is an InputError naming the field
    assert result["__typename"] == "InputError", result
    assert result["code"] == "BAD_REQUEST"
    assert result["field"] == field
    assert result["message"]
    # and nothing was stored, queued or delivered
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0 and smtp_sink.received == []


async def test_forty_recipients_are_allowed_and_repeats_count_once(
    admin, smtp_sink, run_jobs
):
    # given 40 distinct addresses spread over to/cc/bcc, with repeats in another case
    queue = await queue_with_inbox(admin.organization_id)
    addresses = _addresses(40)
    request = {
        "to": addresses[:20],
        "cc": addresses[20:35] + [{"email": a["email"].upper()} for a in addresses[:5]],
        "bcc": addresses[35:] + addresses[10:15],
    }
    # when sent
    result = await sent_task(admin, queue=gid_of(queue), **request)
    # then the email keeps each address once, in its first place
    stored = result["email"]
    assert [a["email"] for a in stored["to"]] == [a["email"] for a in addresses[:20]]
    assert [a["email"] for a in stored["cc"]] == [a["email"] for a in addresses[20:35]]
    assert [a["email"] for a in stored["bcc"]] == [a["email"] for a in addresses[35:]]
    await run_jobs()
    # and the server was given each of the 40 once
    assert len(smtp_sink.received) == 1
    assert sorted(smtp_sink.received[0].recipients) == sorted(
        a["email"] for a in addresses
    )


async def test_limits_show_the_recipient_cap(admin):
    assert (await admin.data(LIMITS))["limits"]["maxRecipients"] == 40


async def test_attachments_over_the_message_size_limit_are_refused(
    admin, smtp_sink, run_jobs, settings
):
    # given MAX_MESSAGE_BYTES of 50 kB and a 60 kB document
    settings(max_message_bytes="50000")
    assert (await admin.data("{ limits { maxMessageBytes } }"))["limits"][
        "maxMessageBytes"
    ] == 50000
    queue = await queue_with_inbox(admin.organization_id)
    big = await make_document(
        admin.organization_id,
        bytes(range(256)) * 240,
        "big.bin",
        "application/octet-stream",
    )
    # when it is attached
    result = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        attachDocuments=[gid("Document", big.id)],
    )
    # then the send is refused up front, as an import of that size would be
    assert result["__typename"] == "InputError", (
        "a message over maxMessageBytes was queued"
    )
    assert (result["code"], result["field"]) == ("PAYLOAD_TOO_LARGE", "attachDocuments")
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0


async def test_other_organizations_rows_are_not_found(
    admin, make_org, smtp_sink, run_jobs
):
    # given another organization's queue, email, document, annotation and template
    other = await make_org("Other")
    their_queue = await queue_with_inbox(other.organization_id, inbox="in@other.test")
    their_email = await make_incoming(
        other.organization_id,
        their_queue,
        subject="Theirs",
        message_id="<theirs@other.test>",
    )
    their_doc = await make_document(
        other.organization_id,
        PDF,
        "theirs.pdf",
        "application/pdf",
        email_id=their_email.id,
    )
    their_annotation = await Annotation.create(
        organization_id=other.organization_id, queue=their_queue, document=their_doc
    )
    template = (
        await other.data(
            "mutation { createEmailTemplate("
            'input: {name: "T", subject: "S", message: "M"}) '
            "{ ... on EmailTemplate { id } } }"
        )
    )["createEmailTemplate"]["id"]
    queue = await queue_with_inbox(admin.organization_id)
    mine = {"queue": gid_of(queue), "to": to("x@client.test")}
    cases = [
        ({"queue": gid_of(their_queue)}, "queue"),
        (
            {"parentEmail": gid("Email", their_email.id), "queue": None},
            "parentEmail",
        ),
        ({"parentEmail": gid("Email", their_email.id)}, "parentEmail"),
        ({"attachDocuments": [gid("Document", their_doc.id)]}, "attachDocuments"),
        (
            {"relatedDocuments": [gid("Document", their_doc.id)]},
            "relatedDocuments",
        ),
        (
            {"relatedAnnotations": [gid("Annotation", their_annotation.id)]},
            "relatedAnnotations",
        ),
        ({"emailTemplate": template}, "emailTemplate"),
        ({"queue": gid("Queue", 987654)}, "queue"),
    ]
    for changes, field in cases:
        # when the caller names one of them
        result = await send(admin, **{**mine, **changes})
        # then it does not exist for them
        assert result["__typename"] == "InputError", (changes, result)
        assert (result["code"], result["field"]) == ("NOT_FOUND", field), (
            changes,
            result,
        )
        assert "Theirs" not in result["message"]
    # and nothing was stored or sent, in either organization
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert await outgoing_rows(other.organization_id) == (0, 0)
    await run_jobs()
    assert smtp_sink.attempts == 0


async def test_viewer_may_not_send(admin, smtp_sink):
    from app.accounts.models import Role

    viewer = await admin.add_user(Role.VIEWER)
    queue = await queue_with_inbox(admin.organization_id)
    body = await viewer.gql(
        SEND, {"input": {"queue": gid_of(queue), "to": to("x@y.test")}}
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_FORBIDDEN"
    assert await outgoing_rows(admin.organization_id) == (0, 0)
