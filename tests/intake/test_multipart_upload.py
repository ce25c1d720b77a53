"""The GraphQL multipart upload path of importEmail: imports like base64, needs the
preflight header, and closes every uploaded file."""

import base64
from typing import Any

import pytest

from app.accounts.models import Role
from tests import mailcorpus as mc
from tests.intake.importing import (
    IMPORT,
    download,
    intake_inbox,
    multipart_upload,
    post_multipart,
    task_of,
    task_rows,
)

# ---------------------------------------------------------------------------
# The multipart upload path


async def test_upload_imports_like_base64(admin, run_jobs):
    # given an inbox and the Gmail message as a file
    await intake_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {
            "input": {
                "rawMessage": None,
                "recipient": mc.INBOX,
                "values": {"emails_import:via": "upload"},
            }
        },
        {"variables.input.rawMessage": ("gmail.eml", mc.gmail_mixed())},
    )
    # when it is uploaded with the preflight header
    response = await post_multipart(admin, request)
    # then a task is returned and the import succeeds with the three documents
    assert response.status_code == 200, response.text
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    await run_jobs()
    task = await task_of(admin, result["id"])
    assert task["status"] == "SUCCEEDED", task["error"]
    assert len(task["email"]["documents"]) == 3
    assert {
        a["values"]["emails_import:via"]
        for d in task["email"]["documents"]
        for a in d["annotations"]
    } == {"upload"}
    # and the raw message is downloadable exactly as uploaded
    raw = await download(admin, f"/content/emails/{task['email']['id']}")
    assert raw.status_code == 200 and raw.content == mc.gmail_mixed()


async def test_upload_without_preflight_header_is_refused(admin):
    # given an inbox and a multipart request with no preflight header (a form post
    # any web page could make)
    await intake_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", mc.simple())},
    )
    # when it is sent
    response = await post_multipart(admin, request, preflight=False)
    # then it is refused with 400 before anything runs
    assert response.status_code == 400
    assert "preflight" in response.text.lower()
    assert await task_rows(admin.organization_id) == 0


async def test_uploaded_file_is_closed_after_the_request(admin):
    # given an inbox
    await intake_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", mc.simple())},
    )
    # when a message is uploaded and the request is over
    unclosed: list[str] = []
    response = await post_multipart(admin, request, unclosed=unclosed)
    assert response.json()["data"]["importEmail"]["__typename"] == "Task"
    # then the server closed the uploaded file (no file handle left to the collector)
    assert unclosed == []


@pytest.mark.parametrize(
    "refusal", ["both-raw-inputs", "not-admin", "unknown-recipient"]
)
async def test_refused_uploads_are_closed_too(admin, refusal):
    # given an upload the mutation refuses before or after reading it
    await intake_inbox(admin.organization_id)
    raw = mc.simple()
    variables: dict[str, Any] = {"input": {"rawMessage": None, "recipient": mc.INBOX}}
    actor = admin
    if refusal == "both-raw-inputs":
        variables["input"]["rawMessageBase64"] = base64.b64encode(raw).decode()
    elif refusal == "not-admin":
        actor = await admin.add_user(Role.MANAGER)
    else:
        variables["input"]["recipient"] = "nobody@acme.test"
    request = multipart_upload(
        IMPORT, variables, {"variables.input.rawMessage": ("m.eml", raw)}
    )
    # when it is sent
    unclosed: list[str] = []
    response = await post_multipart(actor, request, unclosed=unclosed)
    body = response.json()
    if refusal == "not-admin":
        assert body["errors"][0]["extensions"]["code"] == "ACCESS_FORBIDDEN"
    else:
        assert body["data"]["importEmail"]["__typename"] == "InputError"
    # then the uploaded file was closed all the same
    assert unclosed == []
