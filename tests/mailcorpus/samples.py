"""The corpus as a list, for the "every message ends cleanly" sweep."""

from dataclasses import dataclass

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
