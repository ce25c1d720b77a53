"""The inbox's filters: small images and types it does not accept."""

from tests import mailcorpus as mc
from tests.helpers import sha
from tests.intake.importing import (
    docs_by_sha,
    imported_email,
    intake_inbox,
    parts_by_id,
)


async def test_small_images_are_filtered_and_counted(admin, run_jobs):
    # given an inbox that ignores images under 1,000 bytes
    await intake_inbox(admin.organization_id, min_image_bytes=1000)
    # when a message with a 73-byte PNG, a 300-byte JPEG, a 5 kB PNG and a PDF arrives
    email = await imported_email(admin, run_jobs, mc.small_images())
    # then the two small images are filtered out and counted, the rest are documents
    outcomes = {p["filename"]: p["outcome"] for p in email["parts"] if p["filename"]}
    assert outcomes == {
        "spacer.png": "FILTERED_SMALL_IMAGE",
        "tiny.jpg": "FILTERED_SMALL_IMAGE",
        "chart.png": "DOCUMENT",
        "invoice.pdf": "DOCUMENT",
    }
    assert email["filteredOutDocumentCount"] == 2
    assert set(docs_by_sha(email)) == {sha(mc.BIG_PNG), sha(mc.INVOICE_PDF)}
    assert docs_by_sha(email)[sha(mc.BIG_PNG)]["mimeType"] == "image/png"


async def test_types_the_inbox_does_not_accept_are_filtered(admin, run_jobs):
    # given an inbox that accepts PDFs only
    await intake_inbox(admin.organization_id, accepted_mime_types=["application/pdf"])
    # when a ZIP declared as application/pdf and a real PDF arrive
    email = await imported_email(admin, run_jobs, mc.unaccepted_type())
    # then the ZIP is recognised by its bytes and filtered by type; the PDF is a
    # document
    parts = parts_by_id(email)
    assert parts["1.2"]["outcome"] == "FILTERED_TYPE"
    assert parts["1.2"]["contentType"] != "application/pdf"
    assert parts["1.2"]["document"] is None
    assert parts["1.3"]["outcome"] == "DOCUMENT"
    [document] = email["documents"]
    assert document["sha256"] == sha(mc.INVOICE_PDF)
    # and (as the design counts only inline and small images) it is not "filtered out"
    assert email["filteredOutDocumentCount"] == 0
    # and an image is filtered by type in that inbox too
    image = await imported_email(admin, run_jobs, mc.small_images())
    outcomes = {p["filename"]: p["outcome"] for p in image["parts"] if p["filename"]}
    assert outcomes["chart.png"] == "FILTERED_TYPE"
    assert outcomes["invoice.pdf"] == "DOCUMENT"


async def test_a_plain_zip_is_not_typed_as_a_word_document(admin, run_jobs):
    # given an inbox accepting Word documents only
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    await intake_inbox(admin.organization_id, accepted_mime_types=[docx])
    # when a plain ZIP archive (no [Content_Types].xml, no word/ entries) arrives
    email = await imported_email(admin, run_jobs, mc.unaccepted_type())
    # then it is sniffed as a ZIP and filtered by type, not accepted as a .docx
    part = parts_by_id(email)["1.2"]
    assert part["contentType"] == "application/zip"
    assert part["outcome"] == "FILTERED_TYPE"
