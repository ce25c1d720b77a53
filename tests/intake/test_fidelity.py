"""Fidelity on real mail, through the API and the real worker: every message of the
corpus ends SUCCEEDED (or FAILED with a code), its documents are the attachments an
independent reading finds (compat32 and `tnef`, tests/mailcorpus/independent.py),
and no document is ever empty."""

from collections import Counter

from tests import mailcorpus as mc
from tests.helpers import sha
from tests.intake.importing import (
    imported_email,
    intake_inbox,
    queued_task,
    task_of,
)
from tests.mailcorpus import fidelity as fm
from tests.mailcorpus import reports
from tests.mailcorpus.independent import NoTnefTool, attachment_hashes, tnef_tool
from tests.mailcorpus.samples import fidelity


async def test_the_corpus_agrees_with_an_independent_reading(admin, run_jobs):
    # given an inbox without filters and every corpus message, old and new kinds
    await intake_inbox(admin.organization_id)
    samples = fidelity() + mc.everyday_and_damaged()
    # when they are all imported
    task_ids = {s.name: await queued_task(admin, s.raw) for s in samples}
    await run_jobs()
    # then each task ends SUCCEEDED, or FAILED with a code that is not a crash
    problems, agree, unchecked = [], 0, []
    for sample in samples:
        task = await task_of(admin, task_ids[sample.name])
        if task["status"] != "SUCCEEDED":
            code = (task["error"] or {}).get("code")
            if task["status"] != "FAILED" or code in (None, "INTERNAL_ERROR"):
                problems.append((sample.name, task["status"], task["error"]))
            elif sample.documents is not None:
                problems.append((sample.name, "FAILED", task["error"]))
            continue
        documents = task["email"]["documents"]
        # and no document is empty
        problems += [(sample.name, "empty", d) for d in documents if d["size"] == 0]
        # and the documents are the attachments the independent reading finds
        try:
            expected = attachment_hashes(sample.raw)
        except NoTnefTool:
            unchecked.append(sample.name)
            continue
        if Counter(d["sha256"] for d in documents) == expected:
            agree += 1
        else:
            problems.append((sample.name, "documents", len(documents), expected))
    checked = len(samples) - len(unchecked)
    assert problems == [], f"{agree} of {checked} agree; {problems}"
    # (without the tnef tool, the 3 winmail.dat messages go unchecked here; their
    # files are checked against the bytes put in by test_fidelity_parsing)
    assert unchecked == [] or tnef_tool() is None
    assert len(samples) >= 34


async def test_a_bounce_is_read_its_report_recorded(admin, run_jobs):
    # given a delivery status notification from a mailer daemon
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, reports.delivery_status())
    # then its reports are parts with outcome REPORT, and none is a document
    assert email["documents"] == []
    report = {p["partId"]: p["outcome"] for p in email["parts"]}
    assert report == {"1": None, "1.1": "BODY", "1.2": "REPORT", "1.3": "REPORT"}
    # and the sender is named by the comment, the text is the human part
    assert email["from"] == {
        "email": "mailer-daemon@mx.vendor.test",
        "name": "Mail Delivery System",
    }
    assert email["bodyTextPlain"] == reports.DSN_TEXT.replace("\r\n", "\n")


async def test_an_empty_part_is_never_a_document(admin, run_jobs):
    await intake_inbox(admin.organization_id)
    email = await imported_email(admin, run_jobs, fm.empty_attachment())
    assert [d["originalFileName"] for d in email["documents"]] == ["full.pdf"]
    empty = [p for p in email["parts"] if p["outcome"] == "EMPTY"]
    assert [(p["filename"], p["size"], p["document"]) for p in empty] == [
        ("empty.pdf", 0, None)
    ]


async def test_reply_text_and_joined_bodies_are_stored(admin, run_jobs):
    # given a reply with signature and quotes, and list mail with a footer part
    await intake_inbox(admin.organization_id)
    # when they are imported
    reply = await imported_email(admin, run_jobs, fm.reply_with_history())
    listed = await imported_email(admin, run_jobs, reports.list_mail())
    # then bodyTextReply is the new text alone and bodyTextPlain the whole body
    assert reply["bodyTextReply"] == fm.REPLY_NEW
    assert "> Does Thursday work?" in reply["bodyTextPlain"]
    assert listed["bodyTextPlain"].startswith(reports.LIST_BODY)
    assert listed["bodyTextPlain"].endswith("https://lists.vendor.test/announce")


async def test_a_100_kb_subject_imports_and_threads(admin, run_jobs):
    await intake_inbox(admin.organization_id)
    email = await imported_email(admin, run_jobs, fm.huge_subject())
    assert 990 < len(email["subject"]) <= 998
    assert email["emailThread"] is not None


async def test_signatures_and_tnef_files_arrive_as_sent(admin, run_jobs):
    # given an S/MIME signed message and winmail.dat with MAPI-held files
    await intake_inbox(admin.organization_id)
    # when they are imported
    signed = await imported_email(admin, run_jobs, fm.smime_signed())
    tnef = await imported_email(admin, run_jobs, fm.tnef_mapi())
    # then the signature is typed as one, and the TNEF files are byte for byte
    [signature] = signed["documents"]
    assert signature["mimeType"] == "application/pkcs7-signature"
    assert {d["sha256"] for d in tnef["documents"]} == {
        sha(fm.TNEF_DOC),
        sha(fm.TNEF_PDF),
    }
