"""The last path of parsing: a message the standard parser or its policy failed on,
read from its raw bytes. Headers are split by hand, the body is kept as text; no
call goes back to the API that failed."""

from app.intake.decoding import decode_text, decode_words
from app.intake.headers import (
    MSGID,
    first_id,
    is_automatic,
    lenient_addresses,
    parse_date,
    storable_subject,
)
from app.intake.parsed import DefectSink, ParsedMessage, part_record
from app.intake.parts import PartOutcome
from app.intake.rawmail import raw_headers, split_raw


def read_raw(raw: bytes, result: ParsedMessage, defect: DefectSink) -> None:
    """Fill `result` with what a reader can still make of the message: its headers
    and its text."""
    head, body = split_raw(raw)
    fields = raw_headers(head)
    result.headers = [(name, decode_words(value)) for name, value in fields]

    def values(name: str) -> list[str]:
        return [v for n, v in fields if n.lower() == name.lower()]

    def text(name: str) -> str:
        found = values(name)
        return decode_words(found[0]).strip() if found else ""

    result.message_id = first_id(text("Message-ID"))
    result.in_reply_to = MSGID.findall(text("In-Reply-To"))
    result.references = MSGID.findall(text("References"))
    result.subject = storable_subject(text("Subject"))
    result.date = parse_date(text("Date"), defect)
    sender = lenient_addresses(values("From")) or lenient_addresses(values("Sender"))
    if sender:
        result.from_address, result.from_name = sender[0]["email"], sender[0]["name"]
    result.to = lenient_addresses(values("To"))
    result.cc = lenient_addresses(values("Cc"))
    result.automatic = is_automatic(text)
    result.text, _ = decode_text(body, None)
    result.inline_texts.append(("text/plain", result.text))
    result.parts.append(
        part_record(
            "1", "text/plain", None, None, None, None, len(body), PartOutcome.BODY
        )
    )
    if not result.message_id:
        defect("message", "no Message-ID")
