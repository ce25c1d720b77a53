"""The parse policy (headers parsed once, clean base64 decoded from its text) and
the parser fed a chunk at a time read a message as the standard library reads it
whole: the same bytes, headers and defects."""

import email
import random
from email import policy

from app.intake.mime_policy import PARSE_POLICY
from app.intake.parsing import FEED_BYTES, parse_message
from app.intake.rawmail import repaired_chunks

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _base64_part(body: str) -> bytes:
    return (
        "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + body
    ).encode()


def test_base64_bodies_decode_as_the_standard_library_decodes_them():
    # given base64 bodies clean and broken (bad characters, missing or misplaced
    # padding, bare line feeds)
    rnd = random.Random(14)
    for _ in range(3000):
        extra = rnd.choice(["=\r\n", "\n", "=!-\r\n", ""])
        body = "".join(rnd.choice(ALPHABET + extra) for _ in range(rnd.randint(0, 40)))
        body += rnd.choice(["", "=", "==", "===", "\r\n", "=\r\n="])
        raw = _base64_part(body)
        # when both policies read them
        stdlib = email.message_from_bytes(raw, policy=policy.default)
        ours = email.message_from_bytes(raw, policy=PARSE_POLICY)
        # then the bytes and the defects are the same
        assert ours.get_payload(decode=True) == stdlib.get_payload(decode=True), body
        assert [type(d) for d in ours.defects] == [type(d) for d in stdlib.defects]


def test_a_header_read_twice_is_parsed_once_and_again_after_a_change():
    msg = email.message_from_bytes(
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nx", policy=PARSE_POLICY
    )
    assert msg["Content-Type"] is msg["Content-Type"]
    msg.replace_header("Content-Type", "text/html")
    assert msg.get_content_type() == "text/html"


def test_a_message_fed_in_chunks_parses_as_one_fed_whole():
    # given a message whose obsolete header block spans several feed chunks, with
    # a CRLF split between two of them
    head = b"Subject : obsolete\r\nX-Long: " + b"y" * (FEED_BYTES * 2) + b"\r\n"
    body = b"line\r\n" * (FEED_BYTES // 3)
    raw = head + b"From: a@vendor.test\r\nMessage-ID: <c@vendor.test>\r\n\r\n" + body
    # when it is parsed (fed a chunk at a time)
    parsed = parse_message(raw)
    # then the header was repaired once, and the headers and text are all there
    assert parsed.subject == "obsolete"
    assert (
        parsed.defects.count("message: obsolete header syntax (space before a colon)")
        == 1
    )
    assert parsed.message_id == "<c@vendor.test>"
    assert parsed.text.replace("\r\n", "\n") == body.decode().replace("\r\n", "\n")
    chunks = list(repaired_chunks([raw[:10], raw[10:]], lambda: None))
    assert b"".join(chunks) == raw.replace(b"Subject :", b"Subject:", 1)
