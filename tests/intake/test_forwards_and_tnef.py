"""Forward chains and TNEF (winmail.dat): their attachments become documents."""

from tests import mailcorpus as mc
from tests.helpers import sha
from tests.intake.importing import (
    assert_documents_downloadable,
    docs_by_sha,
    imported,
    imported_email,
    intake_inbox,
    parts_by_id,
)

# ---------------------------------------------------------------------------
# Forwards, TNEF, filters


async def test_forward_chain_three_deep_brings_every_attachment(admin, run_jobs):
    # given a forward of a forward of a forward, each message with its own PDF
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(3))
    # then the four PDFs are documents, with the bytes sent
    assert set(docs_by_sha(email)) == {
        sha(mc.forward_payload(level)) for level in range(4)
    }
    names = sorted(d["originalFileName"] for d in email["documents"])
    assert names == ["level-0.pdf", "level-1.pdf", "level-2.pdf", "level-3.pdf"]
    # and each attached message is recorded as a nested message, their bodies as BODY
    outcomes = [p["outcome"] for p in email["parts"]]
    assert outcomes.count("NESTED_MESSAGE") == 3
    assert outcomes.count("BODY") == 4
    assert outcomes.count("DOCUMENT") == 4
    # and the outer body is the outer message's, not a forwarded one's
    assert email["bodyTextPlain"] == "Forwarded at level 0."
    assert email["subject"] == "Fwd: level 0"
    assert not any("nested" in d for d in email["parseDefects"])


async def test_forward_chain_deeper_than_the_limit_is_cut_with_a_defect(
    admin, run_jobs
):
    # given a forward chain four deep (the limit is three attached-message levels)
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(4))
    # then the attachments down to the limit are documents, the deepest is not
    assert set(docs_by_sha(email)) == {
        sha(mc.forward_payload(level)) for level in range(4)
    }
    assert any("nested deeper" in d for d in email["parseDefects"]), email[
        "parseDefects"
    ]


async def test_tnef_winmail_dat_is_unpacked(admin, run_jobs):
    # given Outlook rich-text mail with a winmail.dat holding a PDF and a text file
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.tnef_message())
    # then the files inside are documents, named and typed from their bytes
    documents = docs_by_sha(email)
    (pdf_name, pdf_data), (txt_name, txt_data) = mc.TNEF_FILES
    assert documents[sha(pdf_data)]["originalFileName"] == pdf_name
    assert documents[sha(pdf_data)]["mimeType"] == "application/pdf"
    assert documents[sha(txt_data)]["originalFileName"] == txt_name
    assert documents[sha(txt_data)]["mimeType"] == "text/plain"
    assert len(documents) == 2
    await assert_documents_downloadable(admin, email)
    # and winmail.dat itself is a container, not a document
    parts = parts_by_id(email)
    assert parts["1.2"]["outcome"] == "NESTED_MESSAGE"
    assert parts["1.2"]["document"] is None
    assert parts["1.2.t1"]["outcome"] == parts["1.2.t2"]["outcome"] == "DOCUMENT"


async def test_tnef_with_windows_1252_file_name(admin, run_jobs):
    # given a winmail.dat whose attachment title is in its OEM code page (1252), as
    # Outlook writes non-ASCII names
    await intake_inbox(admin.organization_id)
    data = mc.pdf("tnef cp1252")
    blob = mc.tnef_blob([("Résumé.pdf", data)], title_codec="cp1252")
    # when it is imported
    task = await imported(admin, run_jobs, mc.tnef_message(blob))
    # then it succeeds and the file is a document with its name decoded
    assert task["status"] == "SUCCEEDED", task["error"]
    [document] = task["email"]["documents"]
    assert document["sha256"] == sha(data)
    assert document["originalFileName"] == "Résumé.pdf"


async def test_corrupted_winmail_dat_is_a_defect(admin, run_jobs):
    # given a winmail.dat with a TNEF signature and then nonsense
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.corrupted_tnef())
    # then the import succeeds with a TNEF defect and nothing extracted from it
    assert any("TNEF" in d for d in email["parseDefects"]), email["parseDefects"]
    assert email["documents"] == []
    assert parts_by_id(email)["1.2"]["outcome"] == "NESTED_MESSAGE"
    assert email["bodyTextPlain"] == "See the attached files."
