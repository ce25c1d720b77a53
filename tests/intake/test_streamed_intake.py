"""A message goes to the blob store in pieces (base64 decoded a piece at a time, an
upload spooled to the store as it arrives), and the parse process writes the
attachments an import keeps: the bytes arrive whole, and nothing is stored that
nothing refers to."""

import asyncio
import base64
import logging
from pathlib import Path

from app.graphql.spooled_uploads import PIECE
from app.graphql.uploads import BASE64_CHUNK
from tests import mailcorpus as mc
from tests.faults.servers import served
from tests.helpers import assert_input_error, auth, request_logged, sha
from tests.intake.importing import (
    IMPORT,
    download,
    import_email,
    imported,
    imported_email,
    intake_inbox,
    multipart_upload,
    post_multipart,
    task_of,
)
from tests.intake.test_parse_isolation import _many_parts
from tests.mailcorpus.payloads import pdf, png


def _blob_dir(settings, tmp_path: Path) -> Path:
    blobs = tmp_path / "blobs"
    settings(blob_store_url=f"file://{blobs}")
    return blobs


def _stored(blobs: Path) -> set[str]:
    """Every file in the store (a half-written one would be here too)."""
    return (
        {p.name for p in blobs.rglob("*") if p.is_file()} if blobs.exists() else set()
    )


async def test_a_large_message_by_base64_arrives_whole(
    admin, run_jobs, settings, tmp_path
):
    # given a message whose base64 spans several decoding pieces
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    raw, data = mc.big_attachment(BASE64_CHUNK * 2)
    assert len(base64.b64encode(raw)) > 3 * BASE64_CHUNK
    # when it is imported with rawMessageBase64
    email = await imported_email(admin, run_jobs, raw)
    # then the document and the raw message are byte for byte what was sent
    [document] = email["documents"]
    assert (document["size"], document["sha256"]) == (len(data), sha(data))
    downloaded = await download(admin, document["contentUrl"])
    assert sha(downloaded.content) == sha(data)
    eml = await download(admin, email["contentUrl"])
    assert sha(eml.content) == sha(raw)
    # and the store holds those two blobs and nothing else
    assert _stored(blobs) == {sha(raw), sha(data)}


async def test_base64_broken_past_the_first_piece_is_refused_and_nothing_stored(
    admin, settings, tmp_path
):
    # given base64 with a bad character past its first piece, and base64 whose
    # first piece ends in padding (valid alone, not as part of the whole)
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    good = base64.b64encode(b"x" * (BASE64_CHUNK // 4 * 3 * 2)).decode()
    broken = good[:BASE64_CHUNK] + "!" + good[BASE64_CHUNK + 1 :]
    padded = good[: BASE64_CHUNK - 4] + "QQ==" + good[BASE64_CHUNK:]
    for text in (broken, padded):
        # when each is imported
        result = (
            await admin.data(
                """mutation($input: ImportEmailInput!) { importEmail(input: $input) {
                  __typename ... on InputError { code field message } } }""",
                {"input": {"rawMessageBase64": text, "recipient": mc.INBOX}},
            )
        )["importEmail"]
        # then it is refused as invalid base64, and no blob is stored
        assert_input_error(result, "BAD_REQUEST", "rawMessageBase64")
    assert _stored(blobs) == set()


def _upload(raw: bytes, recipient: str = mc.INBOX) -> dict:
    return multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": recipient}},
        {"variables.input.rawMessage": ("big.eml", raw)},
    )


async def test_a_large_upload_is_stored_as_it_was_spooled(
    admin, run_jobs, settings, tmp_path
):
    # given a message of several spool pieces
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    raw, data = mc.big_attachment(PIECE * 3)
    # when it is uploaded and imported
    response = await post_multipart(admin, _upload(raw))
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    await run_jobs()
    task = await task_of(admin, result["id"])
    assert task["status"] == "SUCCEEDED", task["error"]
    # then the raw message is byte for byte what was sent, and the store holds it
    # and the attachment, named by their sha256, and nothing else
    eml = await download(admin, task["email"]["contentUrl"])
    assert sha(eml.content) == sha(raw)
    assert _stored(blobs) == {sha(raw), sha(data)}


async def test_a_refused_upload_stores_no_blob(admin, settings, tmp_path):
    # given an upload to an address no inbox receives
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    raw, _ = mc.big_attachment(PIECE * 2)
    # when it is sent
    response = await post_multipart(admin, _upload(raw, "nobody@acme.test"))
    # then it is refused and its spool is gone
    assert_input_error(response.json()["data"]["importEmail"], "NOT_FOUND", "recipient")
    assert _stored(blobs) == set()


async def test_an_upload_cut_short_leaves_nothing(
    app, admin, settings, tmp_path, caplog
):
    # given a client that sends 2 MB of a 4 MB multipart upload and leaves
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    caplog.set_level(logging.INFO)
    boundary = "cut"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        '{"query": "mutation { __typename }"}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; '
        'filename="big.eml"\r\nContent-Type: message/rfc822\r\n\r\n'
    ).encode()
    async with served(app) as client:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", client.base_url.port
        )
        writer.write(
            (
                "POST /graphql HTTP/1.1\r\nHost: test\r\nGraphQL-Preflight: 1\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Authorization: {auth(admin.token)['Authorization']}\r\n"
                f"Content-Length: {len(head) + 4 * PIECE}\r\n\r\n"
            ).encode()
            + head
            + b"x" * (2 * PIECE)
        )
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()
        await writer.wait_closed()
        # when the server has finished with the request
        await request_logged(caplog, "/graphql")
    # then nothing was stored and nothing is logged as an error
    assert _stored(blobs) == set()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def test_a_refused_request_stores_no_blob(admin, settings, tmp_path):
    # given no inbox at the recipient
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(admin.organization_id)
    # when a message is sent to it
    result = await import_email(admin, mc.simple(), recipient="nobody@acme.test")
    # then it is refused and nothing was stored
    assert_input_error(result, "NOT_FOUND", "recipient")
    assert _stored(blobs) == set()


async def test_a_parse_killed_at_its_time_limit_leaves_only_the_raw_message(
    admin, run_jobs, settings, tmp_path
):
    # given a 1 s parse limit and a message with attachments that parses for longer
    blobs = _blob_dir(settings, tmp_path)
    settings(parse_timeout_seconds="1")
    await intake_inbox(admin.organization_id)
    attachment = (
        b"--x\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(pdf("killed"))
    )
    slow = _many_parts(40_000, "killed").replace(b"--x--", attachment + b"--x--")
    # when it is imported
    task = await imported(admin, run_jobs, slow)
    # then the task failed, its child was killed, and the store holds the raw
    # message alone (no attachment, no half-written file)
    assert task["status"] == "FAILED", task
    assert "took longer than 1 s" in task["error"]["message"]
    assert _stored(blobs) == {sha(slow)}


async def test_only_the_attachments_an_import_keeps_are_stored(
    admin, run_jobs, settings, tmp_path
):
    # given an inbox taking only PDFs and images of 1 kB or more
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(
        admin.organization_id,
        accepted_mime_types=["application/pdf", "image/*"],
        min_image_bytes=1000,
    )
    kept, small, other = pdf("kept"), png(10), b"PK\x05\x06" + b"\x00" * 18
    raw = mc.simple(
        attachments=[("kept.pdf", kept), ("small.png", small), ("a.zip", other)]
    )
    # when a message with a PDF, a small image and a zip file is imported
    email = await imported_email(admin, run_jobs, raw)
    # then the PDF is the document, and only it and the message are stored
    assert [d["sha256"] for d in email["documents"]] == [sha(kept)]
    outcomes = sorted(p["outcome"] for p in email["parts"] if p["outcome"])
    assert outcomes == [
        "BODY",
        "DOCUMENT",
        "FILTERED_SMALL_IMAGE",
        "FILTERED_TYPE",
    ], email["parts"]
    assert _stored(blobs) == {sha(raw), sha(kept)}


async def test_a_refused_sender_leaves_only_the_raw_message(
    admin, run_jobs, settings, tmp_path
):
    # given an inbox that takes mail from one domain only
    blobs = _blob_dir(settings, tmp_path)
    await intake_inbox(
        admin.organization_id, allowed_sender_patterns=["*@supplier.test"]
    )
    raw = mc.simple(attachments=[("a.pdf", pdf("refused"))])
    # when someone else sends a PDF
    task = await imported(admin, run_jobs, raw)
    # then the task failed and the attachment was never stored
    assert task["status"] == "FAILED" and task["error"]["code"] == "ACCESS_FORBIDDEN"
    assert _stored(blobs) == {sha(raw)}
