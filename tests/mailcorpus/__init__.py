"""A corpus of raw RFC 822 messages shaped like real mail, for the import tests.

Every builder returns the exact bytes a mail server would hand over. Well-formed
structures are built with the standard library (email.mime); damage that must be
exact (8-bit headers, broken base64, bad nesting, garbage) is written by hand.

Attachment payloads are deterministic module-level bytes (or returned alongside the
message), so tests can compare the sha256 of what they put in with what comes out.

The builders live in the modules of this package; this module names them all.
"""

from tests.mailcorpus.building import INBOX, simple
from tests.mailcorpus.damaged import (
    UNKNOWN_CHARSET_TEXT,
    big_attachment,
    broken_base64,
    corrupted_tnef,
    deep_nesting,
    eight_bit_headers,
    forward_chain,
    forward_payload,
    garbage,
    many_parts,
    nearly_empty,
    no_message_id_no_date,
    unknown_charset,
)
from tests.mailcorpus.everyday import (
    BROKEN_B64_GOOD_PDF,
    HTML_ONLY,
    LONG_TEXT,
    NAMED_FILES,
    OUTLOOK_CID,
    OUTLOOK_HTML,
    gmail_mixed,
    html_only,
    international_names,
    long_bodies,
    outlook_related,
    small_images,
    tnef_message,
    unaccepted_type,
)
from tests.mailcorpus.payloads import (
    BIG_PNG,
    CSV,
    GMAIL_PDF,
    INVOICE_PDF,
    LOGO_PNG,
    NO_ID_PDF,
    PHOTO_JPEG,
    SMALL_PNG,
    TNEF_FILES,
    ZIP_BYTES,
    jpeg,
    pdf,
    png,
    tnef_blob,
    zip_archive,
)
from tests.mailcorpus.samples import Sample, everyday_and_damaged

__all__ = [
    "BIG_PNG",
    "BROKEN_B64_GOOD_PDF",
    "CSV",
    "GMAIL_PDF",
    "HTML_ONLY",
    "INBOX",
    "INVOICE_PDF",
    "LOGO_PNG",
    "LONG_TEXT",
    "NAMED_FILES",
    "NO_ID_PDF",
    "OUTLOOK_CID",
    "OUTLOOK_HTML",
    "PHOTO_JPEG",
    "SMALL_PNG",
    "Sample",
    "TNEF_FILES",
    "UNKNOWN_CHARSET_TEXT",
    "ZIP_BYTES",
    "big_attachment",
    "broken_base64",
    "corrupted_tnef",
    "deep_nesting",
    "eight_bit_headers",
    "nearly_empty",
    "everyday_and_damaged",
    "forward_chain",
    "forward_payload",
    "garbage",
    "gmail_mixed",
    "html_only",
    "international_names",
    "jpeg",
    "long_bodies",
    "many_parts",
    "no_message_id_no_date",
    "outlook_related",
    "pdf",
    "png",
    "simple",
    "small_images",
    "tnef_blob",
    "tnef_message",
    "unaccepted_type",
    "unknown_charset",
    "zip_archive",
]
