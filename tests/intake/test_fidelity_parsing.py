"""parse_message on real mail's oddities (tests/mailcorpus/fidelity.py, reports.py):
what a mail client shows, read from the bytes without the import around it."""

from app.intake.fallback import read_raw
from app.intake.parsed import ParsedMessage
from app.intake.parsing import parse_message
from app.intake.rawmail import raw_headers, repair_obsolete, split_raw
from app.mail.subjects import SUBJECT_WINDOW
from tests.mailcorpus import fidelity as fm
from tests.mailcorpus import reports
from tests.mailcorpus.payloads import TNEF_FILES, tnef_blob


def outcomes(parsed: ParsedMessage) -> dict[str, str | None]:
    return {p["partId"]: p["outcome"] for p in parsed.parts}


# ---------------------------------------------------------------------------
# Reports and empty parts


def test_reports_are_recorded_not_attached():
    # given a bounce, an abuse report and a read receipt
    for raw in (
        reports.delivery_status(),
        reports.feedback_report(),
        reports.read_receipt(),
    ):
        # when each is parsed
        parsed = parse_message(raw)
        # then the report parts are REPORT, none is an attachment, the text is read
        assert "REPORT" in outcomes(parsed).values(), parsed.parts
        assert parsed.attachments == []
        assert parsed.plain
    bounce = parse_message(reports.delivery_status())
    assert outcomes(bounce) == {
        "1": None,
        "1.1": "BODY",
        "1.2": "REPORT",
        "1.3": "REPORT",
    }


def test_an_empty_attachment_is_recorded_as_empty():
    parsed = parse_message(fm.empty_attachment())
    assert outcomes(parsed)["1.2"] == "EMPTY"
    assert [a.filename for a in parsed.attachments] == ["full.pdf"]
    assert all(a.data for a in parsed.attachments)


def test_a_multipart_without_its_boundary_is_read_as_text():
    parsed = parse_message(fm.boundaryless_multipart())
    assert parsed.attachments == []
    assert fm.BOUNDARYLESS_TEXT in parsed.plain
    assert fm.BOUNDARYLESS_HTML in parsed.plain
    assert outcomes(parsed) == {"1": "BODY"}


# ---------------------------------------------------------------------------
# Names


def test_encoded_words_inside_quotes_and_folded_name_the_files():
    parsed = parse_message(fm.encoded_word_names())
    assert [a.filename for a in parsed.attachments] == [
        "Rechnung März.pdf",
        "Übersicht Quartal.pdf",
    ]


def test_rfc2231_comes_before_the_plain_name_and_name_is_the_last_resort():
    parsed = parse_message(fm.rfc2231_names())
    assert [a.filename for a in parsed.attachments] == [
        "€-Devis été.pdf",
        "Très long nom de fichier.pdf",
        "Bon de commande.pdf",
    ]


def test_a_comment_names_an_address_without_a_display_name():
    parsed = parse_message(reports.delivery_status())
    assert parsed.from_address == "mailer-daemon@mx.vendor.test"
    assert parsed.from_name == "Mail Delivery System"


def test_group_syntax_reads_as_no_recipients():
    parsed = parse_message(reports.list_mail())
    assert parsed.to == [] and parsed.cc == []
    assert parsed.subject == "[announce] Release 2.1"


# ---------------------------------------------------------------------------
# Header syntax and bytes


def test_obsolete_syntax_keeps_the_header_and_the_body_clean():
    parsed = parse_message(fm.obsolete_syntax())
    assert parsed.subject == "Obsolete syntax still counts"
    assert (parsed.from_address, parsed.from_name) == ("old@vendor.test", "Old Mailer")
    assert parsed.plain == "The body, and only the body."
    assert any("obsolete" in d for d in parsed.defects)


def test_each_8bit_header_is_decoded_on_its_own():
    # given UTF-8 in From and Subject, and Latin-1 bytes in X-Mailer and Subject
    parsed = parse_message(fm.eight_bit_mixed())
    # then the UTF-8 reads as UTF-8 and the stray bytes as Windows-1252
    assert parsed.from_name == fm.CYRILLIC_NAME
    assert parsed.subject == f"{fm.CYRILLIC_SUBJECT} café"
    assert ("X-Mailer", "Café Mail 1.0") in parsed.headers


def test_a_100_kb_subject_is_cut_to_what_the_thread_key_reads():
    parsed = parse_message(fm.huge_subject())
    assert SUBJECT_WINDOW - 10 < len(parsed.subject) <= SUBJECT_WINDOW
    assert parsed.subject.startswith("w0 w1 w2")


def test_a_nul_in_a_charset_name_is_a_defect_not_an_exception():
    parsed = parse_message(fm.nul_charset())
    assert parsed.plain == "readable"
    assert any("unknown charset" in d for d in parsed.defects)


# ---------------------------------------------------------------------------
# Bodies


def test_inline_text_parts_join_in_order_with_the_list_footer():
    parsed = parse_message(reports.list_mail())
    assert parsed.plain == f"{reports.LIST_BODY}\n\n{reports.LIST_FOOTER}".replace(
        "\r\n", "\n"
    )


def test_html_without_a_plain_alternative_joins_the_text():
    parsed = parse_message(reports.html_with_text_footer())
    assert parsed.plain.startswith("Quarterly figures attached.\n\n____")
    assert parsed.plain.endswith("https://lists.vendor.test/announce")


def test_the_reply_text_has_no_signature_and_no_quotes():
    parsed = parse_message(fm.reply_with_history())
    assert parsed.reply == fm.REPLY_NEW
    assert "wrote:" in parsed.plain


# ---------------------------------------------------------------------------
# S/MIME and TNEF


def test_smime_signature_is_typed_as_a_signature():
    (signature,) = parse_message(fm.smime_signed()).attachments
    assert signature.filename == "smime.p7s"
    assert signature.mime_type == "application/pkcs7-signature"


def test_tnef_mapi_data_keeps_its_trailing_zeros():
    # given winmail.dat whose Word file ends in a zero-padded sector
    parsed = parse_message(fm.tnef_mapi())
    # then the files are the bytes that were put in, not cut at the zeros
    files = {a.filename: a.data for a in parsed.attachments}
    assert files == {"Vertrag.doc": fm.TNEF_DOC, "Anlage.pdf": fm.TNEF_PDF}
    assert fm.TNEF_DOC.endswith(b"\x00" * 100)


def test_classic_tnef_attachments_still_read():
    from tests.mailcorpus.everyday import tnef_message

    parsed = parse_message(tnef_message(tnef_blob(TNEF_FILES)))
    assert {a.filename: a.data for a in parsed.attachments} == dict(TNEF_FILES)


def test_a_nested_message_with_8bit_headers_brings_its_attachment():
    parsed = parse_message(fm.nested_eight_bit())
    (attachment,) = parsed.attachments
    assert attachment.filename == "Überweisung.pdf"
    assert attachment.data == fm.NESTED_PDF
    assert parsed.plain == "see below"


# ---------------------------------------------------------------------------
# The raw path


def test_what_the_standard_parser_raises_on_is_read_from_the_raw_bytes():
    # given a Content-Type on which message_from_bytes itself raises IndexError
    parsed = parse_message(fm.parser_index_error())
    # then the headers and the text are read by hand, and the fallback recorded
    assert parsed.subject == "parser trouble"
    assert parsed.from_address == "broken@vendor.test"
    assert parsed.message_id == "<index-error@vendor.test>"
    assert parsed.plain == "the text survives"
    assert any("IndexError" in d and "raw bytes" in d for d in parsed.defects)


def test_the_raw_path_reads_headers_by_hand():
    # given a message read without the standard parser
    raw = (
        b"Subject : =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nFrom: x@vendor.test (Mail Robot)"
        b"\r\nTo: unlisted-recipients:;\r\nX-Long: a\r\n b\r\n\r\nthe text\r\n"
    )
    result = ParsedMessage()
    defects: list[str] = []
    # when it is read from the bytes
    read_raw(raw, result, lambda where, what: defects.append(f"{where}: {what}"))
    # then the headers are there, decoded, and the body is the text
    assert result.subject == "Grüße"
    assert (result.from_address, result.from_name) == ("x@vendor.test", "Mail Robot")
    assert result.to == []
    assert ("X-Long", "a b") in result.headers
    assert result.text == "the text\r\n"
    assert [p["outcome"] for p in result.parts] == ["BODY"]
    assert "message: no Message-ID" in defects


def test_obsolete_repair_touches_only_the_header_block():
    raw = b"Subject : x\r\n\r\nKey : value in the body\r\n"
    fixed, repaired = repair_obsolete(raw)
    assert repaired and fixed == b"Subject: x\r\n\r\nKey : value in the body\r\n"
    assert split_raw(fixed)[1] == b"Key : value in the body\r\n"
    assert raw_headers(b"A: 1\r\nnot a field\r\nB :2") == [("A", "1"), ("B", "2")]
