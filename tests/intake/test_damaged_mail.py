"""Damaged mail: defects recorded, never a failed import."""

import json

from tests import mailcorpus as mc
from tests.helpers import sha
from tests.intake.importing import (
    assert_documents_downloadable,
    docs_by_sha,
    download,
    imported,
    imported_email,
    intake_inbox,
)

# ---------------------------------------------------------------------------
# Damage


async def test_broken_base64_is_a_parse_defect_not_a_failure(admin, run_jobs):
    # given a message whose first attachment has broken base64 and second is intact
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.broken_base64())
    # then the import succeeds, the damage is recorded on the part
    assert any(d.startswith("1.2:") and "Base64" in d for d in email["parseDefects"]), (
        email["parseDefects"]
    )
    # and the intact attachment arrives byte for byte
    good = docs_by_sha(email)[sha(mc.BROKEN_B64_GOOD_PDF)]
    assert good["originalFileName"] == "good.pdf"
    assert (await download(admin, good["contentUrl"])).content == mc.BROKEN_B64_GOOD_PDF
    # and what could be decoded of the broken one is stored as hashed
    await assert_documents_downloadable(admin, email)


async def test_unknown_charset_is_read_as_utf8_and_recorded(admin, run_jobs):
    # given a text body in charset "x-unknown-42" (really UTF-8)
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.unknown_charset())
    # then the body is readable and the defect names the charset
    assert email["bodyTextPlain"].strip() == mc.UNKNOWN_CHARSET_TEXT
    assert any("x-unknown-42" in d for d in email["parseDefects"]), email[
        "parseDefects"
    ]
    assert email["parts"][0]["charset"] == "x-unknown-42"


async def test_eight_bit_headers_do_not_break_the_import(admin, run_jobs):
    # given Subject and From name as raw Latin-1 bytes (no RFC 2047)
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.eight_bit_headers())
    # then the address and the ASCII text survive, and every string is valid Unicode
    assert email["from"]["email"] == "rene.mueller@vendor.test"
    assert email["subject"].startswith("Caf") and email["subject"].endswith(
        "for order 77"
    )
    assert email["from"]["name"].startswith("Ren")
    json.dumps(email, ensure_ascii=False).encode("utf-8")  # no lone surrogates


async def test_eight_bit_latin1_headers_are_decoded_not_replaced(admin, run_jobs):
    # given Subject and From name as raw Latin-1 bytes, as old mailers send them
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.eight_bit_headers())
    # then the text reads as the sender wrote it (bytes that are not UTF-8 are
    # Latin-1/Windows-1252, as mail clients read them), not U+FFFD replacement marks
    assert email["subject"] == "Café résumé for order 77"
    assert email["from"]["name"] == "René Müller"


async def test_message_without_message_id_and_date(admin, run_jobs):
    # given a scanner's message: no Message-ID, no Date, no MIME-Version
    await intake_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.no_message_id_no_date())
    # then it is stored with its document, and the missing id is a recorded defect
    assert email["messageId"] == ""
    assert any("Message-ID" in d for d in email["parseDefects"])
    [document] = email["documents"]
    assert document["sha256"] == sha(mc.NO_ID_PDF)
    assert document["originalFileName"] == "scan0001.pdf"


async def test_nul_characters_in_a_body_are_stored(admin, run_jobs):
    # given a body and subject with NUL characters (broken mailers send them)
    await intake_inbox(admin.organization_id)
    raw = (
        b"From: Nul <nul@vendor.test>\r\nTo: " + mc.INBOX.encode() + b"\r\n"
        b"Subject: =?utf-8?Q?zero=00byte?=\r\nMessage-ID: <nul-1@vendor.test>\r\n\r\n"
        b"before\x00after\r\n"
    )
    # when it is imported
    task = await imported(admin, run_jobs, raw)
    # then it succeeds (on every database backend) with the text readable
    assert task["status"] == "SUCCEEDED", task["error"]
    assert "before" in task["email"]["bodyTextPlain"]
    assert "after" in task["email"]["bodyTextPlain"]
