"""PAYLOAD_TOO_LARGE quotes the size of what was sent (not how much was read of it):
a message to importEmail and a new sendEmail attachment, by upload and by base64."""

import base64
import re

from app.graphql.uploads import decoded_size
from tests import mailcorpus as mc
from tests.helpers import assert_input_error, gid_of
from tests.intake.importing import (
    IMPORT,
    import_email,
    intake_inbox,
    multipart_upload,
    post_multipart,
    task_rows,
)
from tests.outbox.sending import SEND, queue_with_inbox, send


def quoted(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", message)]


async def test_an_oversize_message_is_refused_quoting_its_size(admin, settings):
    settings(max_message_bytes="2000")
    await intake_inbox(admin.organization_id)
    raw = mc.simple(text="x" * 5000)
    as_base64 = await import_email(admin, raw)
    response = await post_multipart(
        admin,
        multipart_upload(
            IMPORT,
            {"input": {"rawMessage": None, "recipient": mc.INBOX}},
            {"variables.input.rawMessage": ("m.eml", raw)},
        ),
    )
    as_upload = response.json()["data"]["importEmail"]
    for result in (as_base64, as_upload):
        assert_input_error(result, "PAYLOAD_TOO_LARGE", "rawMessage")
        assert quoted(result["message"]) == [len(raw), 2000], result
    assert await task_rows(admin.organization_id) == 0


async def test_an_oversize_attachment_is_refused_quoting_its_size(admin, settings):
    settings(max_message_bytes="2000")
    queue = await queue_with_inbox(admin.organization_id)
    data = b"%PDF-1.4\n" + b"x" * 4000
    base = {"queue": gid_of(queue), "to": [{"email": "x@client.test"}]}
    by_base64 = await send(
        admin,
        **base,
        attachments=[
            {"filename": "a.pdf", "contentBase64": base64.b64encode(data).decode()}
        ],
    )
    response = await post_multipart(
        admin,
        multipart_upload(
            SEND,
            {"input": {**base, "attachments": [{"filename": "a.pdf"}]}},
            {"variables.input.attachments.0.file": ("a.pdf", data)},
        ),
    )
    by_upload = response.json()["data"]["sendEmail"]
    for result in (by_base64, by_upload):
        assert_input_error(result, "PAYLOAD_TOO_LARGE", "attachments")
        assert quoted(result["message"]) == [len(data), 2000], result


def test_the_decoded_size_of_base64_is_exact():
    for n in range(40):
        data = bytes(range(n))
        assert decoded_size(base64.b64encode(data).decode()) == n
        assert decoded_size(base64.encodebytes(data).decode()) == n
