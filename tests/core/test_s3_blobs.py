"""BLOB_STORE_URL=s3://… against a real S3-compatible server process (moto's server
mode, the `s3_blobs` fixture): the store itself, then an import, a download and a
send with every blob in the bucket."""

import base64
import hashlib

import pytest

from app.core.blobs import CHUNK_BYTES, blob_store
from app.core.s3_blobs import S3BlobStore
from app.mail.models import Email
from app.settings import get_settings
from app.settings_check import BLOB_STORE_URL, find_problems
from tests import mailcorpus as mc
from tests.helpers import gid_of, pk_of, sha, unused_port
from tests.intake.importing import download, imported_email, intake_inbox
from tests.mailcorpus.payloads import INVOICE_PDF, LOGO_PNG
from tests.outbox.sending import PDF, parse, queue_with_inbox, sent_task, task_of, to


async def test_the_store_puts_gets_and_streams_content_addressed_objects(s3_blobs):
    # given the s3 store BLOB_STORE_URL names, and three chunks' worth of bytes
    store = blob_store()
    assert isinstance(store, S3BlobStore)
    data = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 7)

    # when they are stored twice
    key = await store.put(data)
    assert await store.put(data) == key

    # then the key is their sha256, one object under the prefix holds them
    assert key == hashlib.sha256(data).hexdigest()
    assert await s3_blobs.keys() == [s3_blobs.object_key(key)]
    assert await store.exists(key) and await store.get(key) == data
    # and a download streams them a chunk at a time
    blob = await store.open(key)
    chunks = [chunk async for chunk in blob.chunks]
    assert blob.size == len(data) and b"".join(chunks) == data
    assert len(chunks) > 1 and max(map(len, chunks)) <= CHUNK_BYTES


async def test_a_spooled_upload_is_one_object_of_its_bytes(s3_blobs):
    # given bytes written to the store's spool in two pieces
    store = blob_store()
    spool = store.spool()
    try:
        spool.write([b"first piece, ", b"second piece"])
        # when the spool is stored
        key = await store.put_spool(spool)
    finally:
        spool.close()
    # then one object holds them, under their sha256
    assert key == sha(b"first piece, second piece")
    assert await store.get(key) == b"first piece, second piece"
    assert await s3_blobs.keys() == [s3_blobs.object_key(key)]


async def test_a_missing_object_is_file_not_found(s3_blobs):
    store = blob_store()
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not await store.exists(absent)
    with pytest.raises(FileNotFoundError):
        await store.get(absent)
    with pytest.raises(FileNotFoundError):
        await store.open(absent)


async def test_an_import_and_its_downloads_keep_every_blob_in_the_bucket(
    s3_blobs, admin, run_jobs
):
    # given an inbox, and blobs in S3
    await intake_inbox(admin.organization_id)
    raw = mc.outlook_related()

    # when an email with a PDF attachment and an inline logo is imported
    email = await imported_email(admin, run_jobs, raw)

    # then the raw message, the document and the inline part are objects
    keys = await s3_blobs.keys()
    for content in (raw, INVOICE_PDF, LOGO_PNG):
        assert s3_blobs.object_key(sha(content)) in keys
    # and the document and the raw message download intact through /content
    [document] = email["documents"]
    response = await download(admin, document["contentUrl"])
    assert response.status_code == 200, response.text
    assert response.content == INVOICE_PDF
    assert response.headers["content-length"] == str(len(INVOICE_PDF))
    assert response.headers["content-disposition"] == (
        "attachment; filename*=utf-8''Invoice%202024-001.pdf"
    )
    eml = await download(admin, email["contentUrl"])
    assert eml.status_code == 200 and eml.content == raw


async def test_a_send_reads_its_attachment_from_and_stores_its_message_in_s3(
    s3_blobs, admin, smtp_sink, run_jobs
):
    # given a queue with an inbox to send from, blobs in S3
    queue = await queue_with_inbox(admin.organization_id)

    # when an email with a PDF attachment (base64) is sent
    task = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("xavier@client.test"),
        subject="Invoice",
        message="<p>attached</p>",
        attachments=[
            {
                "filename": "invoice.pdf",
                "contentType": "application/pdf",
                "contentBase64": base64.b64encode(PDF).decode(),
            }
        ],
    )
    await run_jobs()

    # then it arrived with the attachment read back from the bucket
    assert (await task_of(admin, task["id"]))["status"] == "SUCCEEDED"
    [received] = smtp_sink.received
    [attachment] = parse(received.data).iter_attachments()
    assert attachment.get_payload(decode=True) == PDF
    # and both the attachment and the message as sent are objects there
    sent = await Email.get(id=pk_of(task["email"]["id"]))
    assert sorted(await s3_blobs.keys()) == sorted(
        s3_blobs.object_key(k) for k in (sha(PDF), sent.raw_blob_key)
    )


async def test_serve_and_worker_check_that_the_bucket_answers(
    s3_blobs, settings, monkeypatch
):
    # given the test's bucket, a bucket that does not exist, and no server at all
    assert await find_problems(get_settings(), [BLOB_STORE_URL]) == []
    settings(blob_store_url="s3://no-such-bucket-here/blobs")
    [absent] = await find_problems(get_settings(), [BLOB_STORE_URL])
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{unused_port()}")
    [down] = await find_problems(get_settings(), [BLOB_STORE_URL], within=1)

    # then each is one line naming the variable and what to fix
    assert str(absent).startswith("BLOB_STORE_URL='s3://no-such-bucket-here/blobs'")
    assert "is not usable (404" in str(absent) and "existing bucket" in str(absent)
    assert "is not reachable within 1s" in str(down)
