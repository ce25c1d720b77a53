"""The corpus as a list, for the "every message ends cleanly" sweep."""

from dataclasses import dataclass

from tests.mailcorpus import fidelity as fidelity_mail
from tests.mailcorpus import reports
from tests.mailcorpus.damaged import (
    broken_base64,
    corrupted_tnef,
    eight_bit_headers,
    forward_chain,
    garbage,
    nearly_empty,
    no_message_id_no_date,
    unknown_charset,
)
from tests.mailcorpus.everyday import (
    NAMED_FILES,
    gmail_mixed,
    html_only,
    international_names,
    long_bodies,
    outlook_related,
    small_images,
    tnef_message,
    unaccepted_type,
)


@dataclass
class Sample:
    """A corpus message, for the "every message ends cleanly" sweep."""

    name: str
    raw: bytes
    documents: int | None = None  # expected document count, when known


def everyday_and_damaged() -> list[Sample]:
    """The whole corpus except the 20 MB and 1,000-level messages (tested once each)."""
    return [
        Sample("outlook_related", outlook_related(), 1),
        Sample("gmail_mixed", gmail_mixed(), 3),
        Sample("international_names", international_names(), len(NAMED_FILES)),
        Sample("unknown_charset", unknown_charset(), 0),
        Sample("broken_base64", broken_base64(), 2),
        Sample("eight_bit_headers", eight_bit_headers(), 0),
        Sample("no_message_id_no_date", no_message_id_no_date(), 1),
        Sample("forward_chain", forward_chain(3), 4),
        Sample("tnef", tnef_message(), 2),
        Sample("corrupted_tnef", corrupted_tnef(), 0),
        Sample("garbage", garbage()),
        Sample("nearly_empty", nearly_empty()),
        Sample("small_images", small_images(), 4),
        Sample("unaccepted_type", unaccepted_type(), 2),
        Sample("html_only", html_only(), 0),
        Sample("long_bodies", long_bodies(), 0),
    ]


def fidelity() -> list[Sample]:
    """The kinds of real mail issue 11 measured, written by hand; with the expected
    document counts (reports, empty parts and bodies are none)."""
    return [
        Sample("delivery_status", reports.delivery_status(), 0),
        Sample("feedback_report", reports.feedback_report(), 0),
        Sample("read_receipt", reports.read_receipt(), 0),
        Sample("list_mail", reports.list_mail(), 0),
        Sample("html_with_text_footer", reports.html_with_text_footer(), 0),
        Sample("encoded_word_names", fidelity_mail.encoded_word_names(), 2),
        Sample("rfc2231_names", fidelity_mail.rfc2231_names(), 3),
        Sample("boundaryless_multipart", fidelity_mail.boundaryless_multipart(), 0),
        Sample("obsolete_syntax", fidelity_mail.obsolete_syntax(), 0),
        Sample("eight_bit_mixed", fidelity_mail.eight_bit_mixed(), 0),
        Sample("smime_signed", fidelity_mail.smime_signed(), 1),
        Sample("tnef_mapi", fidelity_mail.tnef_mapi(), 2),
        Sample("nested_eight_bit", fidelity_mail.nested_eight_bit(), 1),
        Sample("huge_subject", fidelity_mail.huge_subject(), 0),
        Sample("nul_charset", fidelity_mail.nul_charset(), 0),
        Sample("parser_index_error", fidelity_mail.parser_index_error(), 0),
        Sample("empty_attachment", fidelity_mail.empty_attachment(), 1),
        Sample("reply_with_history", fidelity_mail.reply_with_history(), 0),
    ]
