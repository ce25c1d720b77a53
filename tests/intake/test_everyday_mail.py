"""Everyday mail through importEmail and the worker: inline images, attachments,
file names, part sizes and bodies."""

import unicodedata

from app.documents.models import Annotation, Document
from app.settings import get_settings
from tests import mailcorpus as mc
from tests.helpers import gid, pk_of, sha
from tests.intake.importing import (
    docs_by_sha,
    download,
    imported_email,
    intake_inbox,
    parts_by_id,
)

# ---------------------------------------------------------------------------
# Everyday mail


async def test_outlook_inline_image_is_filtered_and_html_sanitized(
    admin, run_jobs, make_org
):
    # given an inbox and an Outlook message: related > alternative + cid logo, + PDF
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.outlook_related())
    # then each MIME part says what became of it
    parts = parts_by_id(email)
    assert {k: p["outcome"] for k, p in parts.items()} == {
        "1": None,
        "1.1": None,
        "1.1.1": None,  # containers
        "1.1.1.1": "BODY",
        "1.1.1.2": "BODY",
        "1.1.2": "FILTERED_INLINE",
        "1.2": "DOCUMENT",
    }
    assert parts["1.1.2"]["contentId"] == mc.OUTLOOK_CID
    assert parts["1.1.2"]["contentType"] == "image/png"
    assert parts["1.1.2"]["document"] is None
    # and only the PDF became a document; the inline logo is counted as filtered out
    assert email["filteredOutDocumentCount"] == 1
    [document] = email["documents"]
    assert document["originalFileName"] == "Invoice 2024-001.pdf"
    assert document["mimeType"] == "application/pdf"
    assert document["sha256"] == sha(mc.INVOICE_PDF)
    assert document["size"] == len(mc.INVOICE_PDF)
    assert parts["1.2"]["document"] == {
        "id": document["id"],
        "sha256": document["sha256"],
    }
    response = await download(admin, document["contentUrl"])
    assert response.content == mc.INVOICE_PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    # and the addresses are decoded
    assert email["from"] == {"email": "jan.novak@vendor.test", "name": "Novák, Jan"}
    assert email["cc"] == [{"email": "accounts@vendor.test", "name": "Accounts"}]
    assert email["to"][0]["email"] == mc.INBOX
    # and the plain body is the text part
    assert (
        email["bodyTextPlain"].split()
        == "Dear team, Please find the invoice attached.".split()
    )
    assert email["bodyTruncated"] is False
    # and the HTML is sanitized: no script, no event handlers, nothing remote to load
    html = email["bodyTextHtml"]
    lowered = html.lower()
    assert "<script" not in lowered and "alert(" not in lowered
    for handler in ("onload", "onclick", "onmouseover"):
        assert handler not in lowered
    assert "tracker.example.net" not in html  # no remote src, srcset, background, css
    assert "evil.example" not in html  # no iframe, no form
    for vector in (
        "javascript:",
        "data:",
        "onerror",
        "<iframe",
        "<form",
        "<svg",
        "<link",
        "style=",
    ):
        assert vector not in lowered, vector
    assert "Please find the invoice attached." in html
    assert 'href="https://vendor.test/portal"' in html
    # and the cid: image points at the authenticated part URL of this email
    part_path = f"/content/emails/{email['id']}/parts/1.1.2"
    assert f"cid:{mc.OUTLOOK_CID}" not in html
    assert part_path in html
    image = await download(admin, part_path)
    assert image.status_code == 200
    assert image.content == mc.LOGO_PNG
    assert image.headers["content-type"] == "image/png"
    # which needs a token, and is not served to another organization
    assert (await download(admin, part_path, token=None)).status_code == 401
    other = await make_org("Other")
    assert (await download(admin, part_path, token=other.token)).status_code == 404
    assert (
        await download(admin, document["contentUrl"], token=None)
    ).status_code == 401
    assert (
        await download(admin, document["contentUrl"], token=other.token)
    ).status_code == 404
    # and a part that is not an inline image is not served there
    assert (
        await download(admin, f"/content/emails/{email['id']}/parts/1.2")
    ).status_code == 404


async def test_gmail_attachments_become_documents_with_annotations(admin, run_jobs):
    # given an inbox and a Gmail message with a PDF, a JPEG and a CSV
    inbox = await intake_inbox(admin.organization_id)
    metadata = {"source": "scanner", "batch": 7, "nested": {"a": [1, 2]}}
    values = {"emails_import:order": "PO-77", "emails_import:amount": 12.5}
    # when it is imported with metadata and values
    email = await imported_email(
        admin, run_jobs, mc.gmail_mixed(), metadata=metadata, values=values
    )
    # then the three attachments are documents with the sha256 of the bytes sent
    documents = docs_by_sha(email)
    assert set(documents) == {sha(mc.GMAIL_PDF), sha(mc.PHOTO_JPEG), sha(mc.CSV)}
    expected = {
        sha(mc.GMAIL_PDF): ("statement.pdf", "application/pdf", mc.GMAIL_PDF),
        sha(mc.PHOTO_JPEG): ("photo.jpg", "image/jpeg", mc.PHOTO_JPEG),
        sha(mc.CSV): ("items.csv", "text/csv", mc.CSV),
    }
    for digest, (name, mime, data) in expected.items():
        document = documents[digest]
        assert (document["originalFileName"], document["mimeType"]) == (name, mime)
        assert document["size"] == len(data)
        assert (await download(admin, document["contentUrl"])).content == data
    assert email["filteredOutDocumentCount"] == 0
    assert [p["outcome"] for p in email["parts"]] == [
        None,
        None,
        "BODY",
        "BODY",
        "DOCUMENT",
        "DOCUMENT",
        "DOCUMENT",
    ]
    # and each document has one annotation TO_REVIEW in the inbox's queue, with the
    # input metadata and values
    queue_gid = gid("Queue", inbox.queue_id)
    for document in email["documents"]:
        [annotation] = document["annotations"]
        assert annotation["status"] == "TO_REVIEW"
        assert annotation["metadata"] == metadata
        assert annotation["values"] == values
        assert annotation["queue"]["id"] == queue_gid
    assert len(email["annotations"]) == 3
    assert email["metadata"] == metadata
    # and the stored rows agree
    email_pk = int(pk_of(email["id"]))
    assert await Document.filter(email_id=email_pk).count() == 3
    assert await Annotation.filter(email_id=email_pk, status="TO_REVIEW").count() == 3


async def test_file_names_are_decoded_and_sanitized(admin, run_jobs):
    # given attachments named with RFC 2231 and RFC 2047 in several charsets, and
    # hostile names (path traversal, a Windows path, control characters, bidi and
    # zero-width characters, a Windows device name)
    await intake_inbox(admin.organization_id)
    # when the message is imported
    email = await imported_email(admin, run_jobs, mc.international_names())
    # then every file name is decoded and safe
    documents = docs_by_sha(email)
    assert len(documents) == len(mc.NAMED_FILES)
    for _, expected_name, data in mc.NAMED_FILES:
        assert documents[sha(data)]["originalFileName"] == expected_name
    for part in email["parts"]:
        name = part["filename"] or ""
        assert "/" not in name and "\\" not in name, name
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in name), name
    # and the encoded subject and sender name too
    assert email["subject"] == "Pièces jointes"
    assert email["from"] == {"email": "jiri@vendor.test", "name": "Jiří"}
    # and the download carries the safe name
    passwd = documents[sha(mc.NAMED_FILES[6][2])]
    response = await download(admin, passwd["contentUrl"])
    assert 'filename="passwd"' in response.headers["content-disposition"]


async def test_every_part_file_name_is_sanitized(admin, run_jobs):
    # given hostile names on parts that do not become documents: an attached message
    # and an inline text part
    await intake_inbox(admin.organization_id)
    raw = mc.forward_chain(1).replace(
        b'filename="forward-1.eml"', b"filename*=utf-8''..%2F..%2Fetc%2Ffwd%07.eml"
    )
    assert raw != mc.forward_chain(1)
    inline = (
        b"From: a@vendor.test\r\nTo: " + mc.INBOX.encode() + b"\r\nSubject: inline\r\n"
        b"Message-ID: <inline-name@vendor.test>\r\nContent-Type: text/plain\r\n"
        b"Content-Disposition: inline; filename*=utf-8''..%2Fevil%07.txt\r\n"
        b"\r\nhello\r\n"
    )
    # when they are imported
    forwarded = await imported_email(admin, run_jobs, raw)
    text = await imported_email(admin, run_jobs, inline)
    # then Email.parts shows their names decoded and safe, like documents' names
    assert parts_by_id(forwarded)["1.3"]["outcome"] == "NESTED_MESSAGE"
    assert parts_by_id(forwarded)["1.3"]["filename"] == "fwd.eml"
    assert parts_by_id(text)["1"]["outcome"] == "BODY"
    assert parts_by_id(text)["1"]["filename"] == "evil.txt"


async def test_parts_report_the_size_of_their_content(admin, run_jobs):
    # given a forward chain (bodies and attachments inside attached messages)
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(2))
    # then every body and document part reports its decoded size
    for part in email["parts"]:
        if part["outcome"] in ("BODY", "DOCUMENT"):
            assert part["size"] > 0, part


async def test_plain_text_is_made_from_html_when_there_is_no_text_part(admin, run_jobs):
    # given an HTML-only message
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.html_only())
    # then bodyTextPlain is readable text made from the HTML
    text = email["bodyTextPlain"]
    assert "Order\xa0confirmed" in text or "Order confirmed" in text
    assert "Line one\nLine two" in text
    assert "Total: 42 €" in text
    assert "<" not in text and "secret" not in text and ".x{}" not in text
    # and the HTML keeps its markup, without the script
    assert "<h1>" in email["bodyTextHtml"]
    assert "secret" not in email["bodyTextHtml"]
    assert email["parts"][0]["outcome"] == "BODY"


async def test_bodies_are_cut_to_4096_bytes_on_a_character_boundary(admin, run_jobs):
    # given a message whose text and HTML bodies are 13 kB of multi-byte characters
    await intake_inbox(admin.organization_id)
    limit = get_settings().body_max_bytes
    assert limit == 4096 and len(mc.LONG_TEXT.encode()) > 3 * limit
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.long_bodies())
    # then both bodies are cut to at most 4096 bytes, on a character boundary
    assert email["bodyTruncated"] is True
    text = email["bodyTextPlain"]
    assert limit - 4 < len(text.encode()) <= limit
    assert mc.LONG_TEXT.startswith(text)
    assert "\ufffd" not in text
    html = email["bodyTextHtml"]
    assert limit - 4 < len(html.encode()) <= limit
    assert "\ufffd" not in html
    # and a short message is not marked truncated
    short = await imported_email(
        admin, run_jobs, mc.simple(message_id="<short@x.test>")
    )
    assert short["bodyTruncated"] is False
    assert short["bodyTextPlain"] == "Hello there."
