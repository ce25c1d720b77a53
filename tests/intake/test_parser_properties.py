"""Property tests of parse_message, the tolerant entry point the import job runs in
its parse child: whatever the bytes, it returns well-formed records and never
raises. `make fuzz` runs the same tests with many more examples
(HYPOTHESIS_PROFILE=fuzz, see tests/conftest.py)."""

import base64
import io
import json
import quopri
import unicodedata
import zipfile
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from app.core.validation import LINE_BREAKS
from app.intake.headers import MSGID
from app.intake.parsed import part_record
from app.intake.parsing import ParsedMessage, parse_message
from app.intake.parts import PartOutcome

PART_KEYS = set(part_record("1", "text/plain", None, None, None, None, 0, None))
OUTCOMES = {o.value for o in PartOutcome} | {None}

# ---------------------------------------------------------------------------
# Well-formed: what the job and the database rely on


def _safe_name(name: str) -> bool:
    return (
        bool(name)
        and len(name.encode()) <= 255
        and "/" not in name
        and "\\" not in name
        and not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)
    )


def assert_well_formed(parsed: ParsedMessage) -> None:
    for text in (parsed.subject, parsed.from_name, parsed.message_id):
        assert isinstance(text, str) and "\x00" not in text
    assert LINE_BREAKS.isdisjoint(parsed.subject)
    for text in (parsed.text, parsed.html, parsed.plain, parsed.safe_html):
        assert isinstance(text, str) and "\x00" not in text
    assert all(MSGID.fullmatch(i) for i in parsed.in_reply_to + parsed.references)
    for address in parsed.to + parsed.cc:
        assert set(address) == {"email", "name"}
        assert all(isinstance(v, str) for v in address.values())
    assert isinstance(parsed.from_address, str)
    assert isinstance(parsed.automatic, bool)
    assert len(parsed.defects) <= 200
    assert all(isinstance(d, str) for d in parsed.defects)
    # PostgreSQL's JSON refuses NUL: nothing stored as JSON may hold one
    assert "\\u0000" not in json.dumps([parsed.parts, parsed.defects, parsed.headers])
    ids = [p["partId"] for p in parsed.parts]
    assert len(ids) == len(set(ids)), ids
    for part in parsed.parts:
        assert set(part) == PART_KEYS, part
        assert part["outcome"] in OUTCOMES
        assert isinstance(part["size"], int) and part["size"] >= 0
        assert "/" in part["contentType"]
        assert part["filename"] is None or _safe_name(part["filename"]), part
    for attachment in parsed.attachments:
        assert attachment.part_id in ids
        assert _safe_name(attachment.filename), attachment.filename
        assert isinstance(attachment.data, bytes)
        assert "/" in attachment.mime_type
        assert isinstance(attachment.inline, bool)
    assert parsed.part_url_mark


# ---------------------------------------------------------------------------
# Arbitrary bytes


@given(st.binary(max_size=4096))
def test_arbitrary_bytes_parse_to_well_formed_records(raw: bytes) -> None:
    assert_well_formed(parse_message(raw))


# ---------------------------------------------------------------------------
# Generated MIME messages, damaged in the ways real mail is

HOSTILE = '\r\n\x00\x0b\x1c\x85\u2028\u202e\u200b\ufeff"\\/;=?*<>'
header_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(HOSTILE),
    max_size=40,
)
encoded_word = st.builds(
    lambda charset, enc, data: f"=?{charset}?{enc}?{data}?=",
    st.sampled_from(["utf-8", "iso-8859-1", "koi8-r", "x-unknown", ""]),
    st.sampled_from(["B", "Q", "X"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh0123456789=+/_", max_size=20),
)
header_value = st.one_of(header_text, encoded_word, st.binary(max_size=30))
address = st.builds(
    lambda name, local, domain: f'"{name}" <{local}@{domain}>',
    header_text,
    st.text(alphabet='abcxyz.+-"@', min_size=0, max_size=8),
    st.sampled_from(["vendor.test", "", "[1.2.3.4]", "a..b", "x" * 70]),
)
CTYPES = [
    "text/plain",
    "text/html",
    "application/pdf",
    "image/png",
    "application/zip",
    "application/ms-tnef",
    "application/octet-stream",
    "message/rfc822",
    "garbage",
    "",
]
ENCODINGS = ["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", ""]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SIGNED = [
    b"<p>hi <img src='cid:a@b'></p>",
    b"\x89PNG\r\n\x1a\n" + bytes(64),
    b"%PDF-1.4\n%%EOF",
    b'x\x9f>"' + bytes(40),  # the TNEF signature
    _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
]
payload = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(SIGNED),
    st.sampled_from(SIGNED).flatmap(
        lambda d: st.integers(0, len(d)).map(lambda n: d[:n])
    ),
)


def _header_bytes(name: str, value: Any) -> bytes:
    data = value if isinstance(value, bytes) else value.encode("utf-8")
    return name.encode() + b": " + data + b"\r\n"


def _encode(data: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        return quopri.encodestring(data)
    return data


@st.composite
def leaf(draw: Any) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    encoding = draw(st.sampled_from(ENCODINGS))
    params = ""
    if draw(st.booleans()):
        charset = draw(st.sampled_from(["utf-8", "latin-1", "x-bogus", "utf-7", ""]))
        params += f"; charset={charset}"
    head = _header_bytes("Content-Type", ctype + params)
    head += _header_bytes("Content-Transfer-Encoding", encoding)
    if draw(st.booleans()):
        disposition = draw(st.sampled_from(["attachment", "inline", "x"]))
        name = draw(header_value)
        name = name.decode("latin-1") if isinstance(name, bytes) else name
        style = draw(st.sampled_from(['filename="{}"', "filename*=utf-8''{}", "{}"]))
        head += _header_bytes(
            "Content-Disposition", f"{disposition}; " + style.format(name)
        )
    if draw(st.booleans()):
        head += _header_bytes(
            "Content-ID", draw(st.sampled_from(["<a@b>", "a@b", "<>"]))
        )
    body = draw(payload)
    if ctype == "message/rfc822" and draw(st.booleans()):
        body = draw(message(max_depth=1))
    if draw(st.booleans()):  # damaged in transit: cut anywhere
        body = body[: draw(st.integers(0, len(body)))]
    return head + b"\r\n" + _encode(body, encoding)


def _multipart(
    subtype: str, boundary: str, parts: list[bytes], closed: bool, preamble: bytes
) -> bytes:
    head = _header_bytes("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')
    body = preamble
    for part in parts:
        body += b"--" + boundary.encode() + b"\r\n" + part + b"\r\n"
    if closed:
        body += b"--" + boundary.encode() + b"--\r\n"
    return head + b"\r\n" + body


def multipart(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.builds(
        _multipart,
        st.sampled_from(["mixed", "alternative", "related", "x"]),
        st.sampled_from(["b1", "b1", "=_x", "", "b1 b1", "--"]),
        st.lists(children, max_size=4),
        st.booleans(),
        st.sampled_from([b"", b"preamble\r\n"]),
    )


def message(max_depth: int = 3) -> st.SearchStrategy[bytes]:
    tree = st.recursive(leaf(), multipart, max_leaves=8) if max_depth else leaf()

    @st.composite
    def build(draw: Any) -> bytes:
        head = b""
        for name in ("Subject", "From", "To", "Cc", "Message-ID", "References"):
            if draw(st.booleans()):
                value = draw(address if name in ("From", "To", "Cc") else header_value)
                head += _header_bytes(name, value)
        if draw(st.booleans()):
            head += _header_bytes("MIME-Version", "1.0")
        return head + draw(tree)

    return build()


@given(message())
# The policy's address parser raised IndexError on this To (an empty quoted name cut
# by a bare CR), and again when the fallback asked it for the same header.
@example(
    b'To: "\r" <@vendor.test>\r\nContent-Type: text/plain\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n"
)
# An attached message whose Cc (8-bit, no RFC 2047) the generator could not fold
# again when the walk measured it: UnicodeEncodeError.
@example(
    b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
    b'Cc: "000'
    + b"\xc2\x80" * 8
    + b"\xf0\x90\x80\x80" * 6
    + b'" <@'
    + b"x" * 70
    + b">\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
)
# A Content-Disposition of "attachment; \x00*": the policy's parser raised
# IndexError on get_content_disposition().
@example(
    b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
    b"Content-Type: text/plain\r\nContent-Disposition: attachment; \x00*\r\n\r\n"
)
def test_generated_mime_messages_parse_to_well_formed_records(raw: bytes) -> None:
    assert_well_formed(parse_message(raw))
