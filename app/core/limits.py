"""Every limit in one place: the configurable ones read from settings, the fixed ones
(protocol line lengths, column sizes, abuse bounds) named here, so a client's
`limits` query, an error message and the check itself never disagree."""

from dataclasses import dataclass

from app.settings import Settings, get_settings


@dataclass(frozen=True)
class Limits:
    # From settings (see the README's configuration table).
    max_message_bytes: int
    max_request_bytes: int
    max_recipients: int
    metadata_max_keys: int
    body_max_bytes: int
    default_page_size: int
    max_page_size: int
    trial_send_limit: int
    # Fixed.
    subject_chars: int = 998  # RFC 5322's line length, the subject column's size
    send_message_bytes: int = 256 * 1024  # the HTML of one outgoing email
    template_message_bytes: int = 64 * 1024
    template_custom_keys: int = 50
    custom_headers: int = 20
    header_value_chars: int = 998
    stored_header_bytes: int = 32 * 1024  # Email.headers: names and values, in all
    filter_values: int = 100  # values of one list-valued filter (queue, from…)
    address_chars: int = 320  # RFC 5321's longest address, the address columns' size
    reason_chars: int = 2000
    idempotency_key_chars: int = 200
    file_name_bytes: int = 255  # what every common file system allows
    parse_child_memory_bytes: int = 2 * 1024**3
    archive_entry_peek_bytes: int = 4096  # what sniffing reads of a ZIP entry
    # HTTP requests: what a multipart body may carry besides its files (operations,
    # map, part headers), JSON nesting, the query string of a GET.
    request_envelope_bytes: int = 64 * 1024
    json_depth: int = 64
    query_string_bytes: int = 16 * 1024

    @property
    def max_multipart_bytes(self) -> int:
        """A multipart body: its files count against MAX_MESSAGE_BYTES."""
        return self.max_message_bytes + self.request_envelope_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(
            max_message_bytes=settings.max_message_bytes,
            # base64 grows a message by 4/3; the rest of the document fits in 64 kB.
            max_request_bytes=settings.max_request_bytes
            or settings.max_message_bytes * 4 // 3 + cls.request_envelope_bytes,
            max_recipients=settings.max_recipients,
            metadata_max_keys=settings.metadata_max_keys,
            body_max_bytes=settings.body_max_bytes,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            trial_send_limit=settings.trial_send_limit,
        )


def limits() -> Limits:
    """The limits in force (settings are read once per process; tests reset them)."""
    return Limits.from_settings(get_settings())
