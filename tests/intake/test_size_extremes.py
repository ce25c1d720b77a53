"""Size and structure extremes, once each: a 20 MB attachment, deep nesting, many
parts."""

from app.intake.parsing import MAX_PARTS
from tests import mailcorpus as mc
from tests.helpers import sha
from tests.intake.importing import (
    IMPORT,
    assert_worker_alive,
    download,
    imported,
    imported_email,
    intake_inbox,
    multipart_upload,
    post_multipart,
    task_of,
)

# ---------------------------------------------------------------------------
# Size and structure extremes (once each)


async def test_twenty_megabyte_attachment_through_upload(admin, run_jobs, settings):
    # given a message carrying a 20 MB attachment (27 MB once base64-encoded, so more
    # than the default 25 MiB limit: this test allows 40 MiB)
    settings(max_message_bytes=str(40 * 1024 * 1024))
    await intake_inbox(admin.organization_id)
    raw, data = mc.big_attachment(20_000_000)
    # when it is uploaded with the GraphQL multipart request
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("big.eml", raw)},
    )
    response = await post_multipart(admin, request)
    assert response.status_code == 200, response.text
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    del raw
    await run_jobs()
    # then the attachment is one document, byte for byte
    task = await task_of(admin, result["id"])
    assert task["status"] == "SUCCEEDED", task["error"]
    [document] = task["email"]["documents"]
    assert document["size"] == len(data)
    assert document["sha256"] == sha(data)
    downloaded = await download(admin, document["contentUrl"])
    assert sha(downloaded.content) == sha(data)
    # and the worker goes on
    await assert_worker_alive(admin, run_jobs, "big")


async def test_thousand_level_nesting_ends_with_a_defect(admin, run_jobs):
    # given a message whose multipart structure is nested 1,000 levels deep
    await intake_inbox(admin.organization_id)
    # when it is imported
    task = await imported(admin, run_jobs, mc.deep_nesting(1000))
    # then the task ends, the headers are read and the nesting is a recorded defect
    assert task["status"] == "SUCCEEDED", task["error"]
    email = task["email"]
    assert email["subject"] == "Deep"
    assert email["from"]["email"] == "nest@vendor.test"
    assert any("nested" in d.lower() for d in email["parseDefects"]), email[
        "parseDefects"
    ]
    assert email["documents"] == []
    # and the worker goes on
    await assert_worker_alive(admin, run_jobs, "deep")


async def test_nesting_past_max_depth_is_cut_with_a_defect(admin, run_jobs):
    # given nesting just past the walker's depth limit (the parser itself copes)
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.deep_nesting(40))
    # then the parts down to the limit are recorded and the rest is a defect
    assert any("nested deeper than" in d for d in email["parseDefects"])
    assert len(email["parts"]) <= 40


async def test_more_parts_than_max_parts_are_cut_with_a_defect(admin, run_jobs):
    # given an inbox taking PDFs only, and a message with 600 CSV attachments
    await intake_inbox(admin.organization_id, accepted_mime_types=["application/pdf"])
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.many_parts(600))
    # then the parts up to the limit are recorded, the rest is a defect
    assert len(email["parts"]) == MAX_PARTS
    assert any(f"more than {MAX_PARTS} parts" in d for d in email["parseDefects"])
    assert {p["outcome"] for p in email["parts"][1:]} == {"FILTERED_TYPE"}
    assert email["documents"] == []
