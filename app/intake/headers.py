"""The headers of a message, read tolerantly: Message-IDs, subject, Date, addresses,
the whole list, and whether it was sent automatically. A header the policy cannot
parse, or one with undeclared 8-bit bytes, is still read from its raw value (never
by the policy again), and reported as a defect."""

import email.utils
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import Message

from app.intake.decoding import clean_text, decode_words
from app.intake.parsed import DefectSink, ParsedMessage
from app.mail.headers import AUTO_PRECEDENCE
from app.mail.subjects import SUBJECT_WINDOW

MSGID = re.compile(r"<[^<>\s]+>")


def read_headers(msg: Message, result: ParsedMessage, defect: DefectSink) -> None:
    for problem in msg.defects:
        defect("message", type(problem).__name__)
    result.message_id = first_id(header_text(msg, "Message-ID", defect))
    result.in_reply_to = MSGID.findall(header_text(msg, "In-Reply-To", defect))
    result.references = MSGID.findall(header_text(msg, "References", defect))
    result.subject = storable_subject(header_text(msg, "Subject", defect))
    result.date = parse_date(header_text(msg, "Date", defect), defect)
    result.headers = [(clean_text(n), _decoded(msg, n, v)) for n, v in msg.raw_items()]
    sender = addresses(msg, "From", defect) or addresses(msg, "Sender", defect)
    if sender:
        result.from_address, result.from_name = sender[0]["email"], sender[0]["name"]
    result.to = addresses(msg, "To", defect)
    result.cc = addresses(msg, "Cc", defect)
    result.automatic = is_automatic(lambda name: header_text(msg, name, defect))
    result.list_addresses = list_addresses(msg, result, defect)
    if not result.message_id:
        defect("message", "no Message-ID")


def header_text(msg: Message, name: str, defect: DefectSink) -> str:
    raw = _raw_8bit(msg, name)
    if raw is not None:  # bytes outside ASCII with no RFC 2047: decode them here
        defect(f"header {name}", "8-bit bytes without encoding")
        return decode_words(raw).strip()
    try:
        value = msg.get(name)
        return clean_text(str(value)).strip() if value is not None else ""
    except Exception as exc:  # malformed header the policy cannot parse
        defect(f"header {name}", exc)
        values = _raw_values(msg, name) or [""]
        return decode_words(values[0]).strip()


def addresses(msg: Message, name: str, defect: DefectSink) -> list[dict[str, str]]:
    """[{email, name}] of an address header; what the policy rejects is read again
    from the raw value with the lenient getaddresses. A comment names an address
    without a display name (`x@y (Mail Delivery System)`), as clients show it."""
    raw = _raw_8bit(msg, name)
    try:
        if raw is not None:
            raise ValueError("8-bit bytes without encoding")
        value = msg.get(name)
        if value is None:
            return []
        found = [
            {
                "email": clean_text(a.addr_spec).lower(),
                "name": clean_text(a.display_name),
            }
            for a in getattr(value, "addresses", ())
            if a.username and a.domain
        ]
    except Exception as exc:
        defect(f"header {name}", exc)
        return lenient_addresses([raw] if raw is not None else _raw_values(msg, name))
    if any(not a["name"] for a in found):
        named = {
            a["email"]: a["name"] for a in lenient_addresses(_raw_values(msg, name))
        }
        for address in found:
            address["name"] = address["name"] or named.get(address["email"], "")
    return found


def lenient_addresses(values: list[str]) -> list[dict[str, str]]:
    """Addresses of raw header values by the compat32 reader (comments become names,
    groups are flattened), never by the header policy."""
    try:
        pairs = email.utils.getaddresses([clean_text(v) for v in values])
    except Exception:  # nothing left to read them with
        return []
    return [
        {"email": clean_text(a).lower(), "name": decode_words(n)}
        for n, a in pairs
        if "@" in a
    ]


def storable_subject(value: str) -> str:
    """One line, bounded (100 kB subjects are sent): what the thread key reads;
    the email row keeps the column's SUBJECT_MAX of it."""
    return " ".join(value[: SUBJECT_WINDOW * 2].split())[:SUBJECT_WINDOW]


def _raw_values(msg: Message, name: str) -> list[str]:
    """The header's values as they arrived: the policy would parse them again (and
    raise again) on get_all()."""
    return [
        " ".join(str(value).split())
        for key, value in msg.raw_items()
        if key.lower() == name.lower()
    ]


def parse_date(value: str, defect: DefectSink) -> datetime | None:
    """The Date header in UTC ("-0000", no zone known, is read as UTC)."""
    if not value:
        defect("message", "no Date")
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        defect("header Date", f"unreadable date {value[:80]!r}")
        return None


def _decoded(msg: Message, name: str, raw: object) -> str:
    """One header's value as a client shows it: RFC 2047 decoded; raw 8-bit bytes
    and what the policy cannot parse are read as text (header_text reports the
    headers Mailroom uses; the others are shown, not judged)."""
    text = str(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return decode_words(text)
    try:
        return clean_text(str(msg.policy.header_fetch_parse(name, text)))
    except Exception:
        return decode_words(text)


def _raw_8bit(msg: Message, name: str) -> str | None:
    """The raw value of a header holding undeclared 8-bit bytes (which the parser
    keeps as surrogates and the header policy would turn into U+FFFD), else None."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower() and isinstance(value, str):
            if any("\udc80" <= ch <= "\udcff" for ch in value):
                return " ".join(value.split())
            return None
    return None


def is_automatic(header: Callable[[str], str]) -> bool:
    """RFC 3834: never answer automatic mail automatically (mail loops)."""
    auto = header("Auto-Submitted").lower()
    return (
        (auto not in ("", "no"))
        or header("Precedence").lower() in AUTO_PRECEDENCE
        or bool(header("List-Id"))
        or bool(header("X-Auto-Response-Suppress"))
        or header("Return-Path").strip() == "<>"
    )


MAILTO = re.compile(r"<mailto:([^<>?\s]+@[^<>?\s]+)", re.IGNORECASE)
LIST_ID = re.compile(r"<([^<>@\s.]+)\.([^<>@\s]+\.[^<>@\s]+)>")
LIST_PRECEDENCE = frozenset({"list", "bulk"})


def list_addresses(
    msg: Message, result: ParsedMessage, defect: DefectSink
) -> list[str]:
    """The addresses of the mailing list a message came through, lower-cased:
    List-Post's mailto, the address a List-Id names (Mailman's `name.domain` is
    `name@domain`), X-BeenThere, and a Sender other than From. A list message
    naming none of them (only `Precedence: list`) was addressed to its list, so
    its To addresses are."""
    list_id = header_text(msg, "List-Id", defect)
    post = header_text(msg, "List-Post", defect)
    precedence = header_text(msg, "Precedence", defect).lower()
    if not (list_id or post or precedence in LIST_PRECEDENCE):
        return []
    found = [a.lower() for a in MAILTO.findall(post)]
    found += [f"{n}@{d}".lower() for n, d in LIST_ID.findall(list_id)]
    for name in ("X-BeenThere", "Sender"):
        found += [a["email"] for a in addresses(msg, name, defect)]
    found = [a for a in found if a != result.from_address]
    if not found:
        found = [a["email"] for a in result.to if a["email"] != result.from_address]
    return list(dict.fromkeys(found))


def first_id(value: str) -> str:
    found = MSGID.findall(value)
    if found:
        return found[0]
    return value.strip()[:998]
