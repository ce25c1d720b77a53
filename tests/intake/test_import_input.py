"""importEmail refuses what it cannot accept and creates nothing; a failed task
says why."""

import base64
import uuid

import pytest

from app.accounts.models import Role
from app.inboxes.models import Inbox
from app.mail.models import Email
from app.settings import get_settings
from app.tasks.models import Task
from tests import mailcorpus as mc
from tests.helpers import pk_of
from tests.intake.importing import (
    IMPORT,
    import_email,
    intake_inbox,
    multipart_upload,
    post_multipart,
    queued_task,
    task_of,
    task_rows,
)

# ---------------------------------------------------------------------------
# The mutation refuses what it cannot accept, and creates nothing


async def test_message_over_the_size_limit_is_payload_too_large(admin, settings):
    # given a 2,000-byte limit (set after the settings fixture, then the cache cleared)
    settings(max_message_bytes="2000")
    assert get_settings().max_message_bytes == 2000
    await intake_inbox(admin.organization_id)
    raw = mc.simple(text="x" * 3000)
    # when it is sent as base64 and as an upload
    as_base64 = await import_email(admin, raw)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", raw)},
    )
    response = await post_multipart(admin, request)
    as_upload = response.json()["data"]["importEmail"]
    # then both are PAYLOAD_TOO_LARGE and no task exists
    for result in (as_base64, as_upload):
        assert result["__typename"] == "InputError"
        assert result["code"] == "PAYLOAD_TOO_LARGE"
        assert result["field"] == "rawMessage"
    assert await task_rows(admin.organization_id) == 0
    # and a message under the limit is accepted
    small = await import_email(admin, mc.simple(text="ok"))
    assert small["__typename"] == "Task"


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"recipient": "nobody@acme.test"}, "NOT_FOUND", "recipient"),
        ({"values": {"order": 1}}, "BAD_REQUEST", "values"),
        ({"values": {"emails_import:ok": 1, "other:x": 2}}, "BAD_REQUEST", "values"),
        ({"values": {"emails_import:": 1}}, "BAD_REQUEST", "values"),
        ({"values": ["emails_import:x"]}, "BAD_REQUEST", "values"),
        ({"metadata": {f"k{i}": i for i in range(51)}}, "BAD_REQUEST", "metadata"),
        ({"metadata": [1, 2]}, "BAD_REQUEST", "metadata"),
        ({"rawMessageBase64": "not base64!!"}, "BAD_REQUEST", "rawMessageBase64"),
        ({"rawMessageBase64": None}, "BAD_REQUEST", "rawMessage"),
    ],
    ids=[
        "unknown-recipient",
        "values-prefix",
        "values-one-bad-key",
        "values-bare-prefix",
        "values-not-object",
        "metadata-51-keys",
        "metadata-not-object",
        "bad-base64",
        "no-raw-input",
    ],
)
async def test_invalid_input_is_an_input_error_and_creates_no_task(
    admin, extra, code, field
):
    # given an inbox
    await intake_inbox(admin.organization_id)
    # when an import is requested with one thing wrong
    result = await import_email(admin, mc.simple(), **extra)
    # then it is an InputError naming the field, and nothing was created
    assert result["__typename"] == "InputError", result
    assert (result["code"], result["field"]) == (code, field)
    assert result["message"]
    assert await task_rows(admin.organization_id) == 0


async def test_fifty_metadata_keys_are_accepted(admin):
    await intake_inbox(admin.organization_id)
    result = await import_email(
        admin, mc.simple(), metadata={f"k{i}": i for i in range(50)}
    )
    assert result["__typename"] == "Task"
    assert await task_rows(admin.organization_id) == 1


async def test_another_organizations_inbox_is_not_found(admin, make_org):
    # given an inbox of another organization
    other = await make_org("Other")
    await intake_inbox(other.organization_id, "theirs@other.test")
    # when this organization imports to its address
    result = await import_email(
        admin, mc.simple(to="theirs@other.test"), recipient="theirs@other.test"
    )
    # then it is NOT_FOUND, like an unknown address, and no task exists anywhere
    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "NOT_FOUND",
        "recipient",
    )
    assert await task_rows(admin.organization_id) == 0
    assert await task_rows(other.organization_id) == 0


async def test_both_raw_inputs_at_once_are_refused(admin):
    # given a request with an upload and rawMessageBase64 together
    await intake_inbox(admin.organization_id)
    raw = mc.simple()
    request = multipart_upload(
        IMPORT,
        {
            "input": {
                "rawMessage": None,
                "recipient": mc.INBOX,
                "rawMessageBase64": base64.b64encode(raw).decode(),
            }
        },
        {"variables.input.rawMessage": ("m.eml", raw)},
    )
    # when it is sent (an unclosed upload is test_refused_uploads_are_closed's subject)
    response = await post_multipart(admin, request, unclosed=[])
    # then it is BAD_REQUEST and nothing was created
    result = response.json()["data"]["importEmail"]
    assert (result["__typename"], result["code"]) == ("InputError", "BAD_REQUEST")
    assert result["field"] == "rawMessage"
    assert await task_rows(admin.organization_id) == 0


@pytest.mark.parametrize("raw", [b"", b" ", b"\r\n\r\n", b" \t\n\x0b\x0c\r"], ids=repr)
async def test_an_empty_message_is_an_input_error_and_creates_no_task(admin, raw):
    # given an inbox
    await intake_inbox(admin.organization_id)
    # when an empty (or whitespace-only) message is imported as base64 and uploaded
    as_base64 = await import_email(admin, raw)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", raw)},
    )
    as_upload = (await post_multipart(admin, request)).json()["data"]["importEmail"]
    # then both are a BAD_REQUEST InputError on rawMessage, and no task exists
    for result in (as_base64, as_upload):
        assert result["__typename"] == "InputError", result
        assert (result["code"], result["field"]) == ("BAD_REQUEST", "rawMessage")
        assert "empty" in result["message"]
    assert await task_rows(admin.organization_id) == 0


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANNOTATOR, Role.VIEWER])
async def test_only_admins_may_import(admin, role):
    # given an inbox and a user who is not ADMIN
    await intake_inbox(admin.organization_id)
    user = await admin.add_user(role)
    # when they import
    body = await user.gql(
        IMPORT,
        {
            "input": {
                "rawMessageBase64": base64.b64encode(mc.simple()).decode(),
                "recipient": mc.INBOX,
            }
        },
    )
    # then it is ACCESS_FORBIDDEN and nothing was created
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"]
    assert await task_rows(admin.organization_id) == 0


async def test_failed_task_error_is_visible(admin, run_jobs):
    # given an inbox that has been deleted after the import was accepted
    inbox = await intake_inbox(admin.organization_id)
    task_id = await queued_task(admin, mc.simple())
    await Inbox.filter(id=inbox.id).delete()
    # when the job runs
    await run_jobs()
    # then the task FAILED with a code and a message, and no email exists
    task = await task_of(admin, task_id)
    assert task["status"] == "FAILED"
    assert task["error"]["code"] == "NOT_FOUND" and task["error"]["message"]
    assert task["email"] is None
    assert await Email.filter(organization_id=admin.organization_id).count() == 0
    # and the task row says the same
    row = await Task.get(id=uuid.UUID(pk_of(task_id)))
    assert row.error_code == "NOT_FOUND"
