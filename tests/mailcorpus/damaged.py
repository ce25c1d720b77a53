"""Damaged and extreme mail, written by hand where the damage must be exact:
unknown charsets, broken base64, 8-bit headers, deep nesting, many parts, garbage;
and forward chains nested to any depth."""

import base64
import random
import struct
from email.mime.message import MIMEMessage
from email.mime.text import MIMEText

from tests.mailcorpus.building import INBOX, _attachment, _b64_lines, _headers, _mp
from tests.mailcorpus.everyday import BROKEN_B64_GOOD_PDF, tnef_message
from tests.mailcorpus.payloads import NO_ID_PDF, pdf

# ---------------------------------------------------------------------------
# Damage

UNKNOWN_CHARSET_TEXT = "Zahlung über 100 € erhalten."


def unknown_charset() -> bytes:
    return (
        b"From: Carl <carl@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: Charset trouble\r\n"
        b"Message-ID: <charset-1@vendor.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="x-unknown-42"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + UNKNOWN_CHARSET_TEXT.encode()
        + b"\r\n"
    )


def broken_base64() -> bytes:
    """One attachment whose base64 has bad characters and bad padding, one intact."""
    good = _b64_lines(BROKEN_B64_GOOD_PDF)
    broken = (
        b"JVBERi0xLjQK!!!@@@###\r\n"
        b"Jcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+Pg*\r\n"
        b"ZW5k=a\r\n"
    )
    return (
        b"From: Dana <dana@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: Broken attachment\r\n"
        b"Message-ID: <b64-1@vendor.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="broken.pdf"\r\n\r\n'
        + broken
        + b"--B\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="good.pdf"\r\n\r\n'
        + good
        + b"--B--\r\n"
    )


def eight_bit_headers() -> bytes:
    """Latin-1 bytes straight in Subject and From (no RFC 2047), no charset anywhere."""
    return (
        b"From: Ren\xe9 M\xfcller <rene.mueller@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: Caf\xe9 r\xe9sum\xe9 for order 77\r\n"
        b"Message-ID: <8bit-1@vendor.test>\r\n"
        b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\n"
        b"Plain ASCII body.\r\n"
    )


def no_message_id_no_date() -> bytes:
    """What some scanners and scripts send: no Message-ID, no Date, no MIME-Version."""
    msg = _mp("mixed", "scan")
    msg.attach(MIMEText("scan attached", "plain", "utf-8"))
    msg.attach(_attachment(NO_ID_PDF, "application", "pdf", "scan0001.pdf"))
    msg["From"] = "scanner@printer.vendor.test"
    msg["To"] = INBOX
    msg["Subject"] = "Scanned document"
    del msg["MIME-Version"]
    return msg.as_bytes()


def forward_payload(level: int) -> bytes:
    return pdf(f"forward level {level}")


def forward_chain(depth: int = 3) -> bytes:
    """A forward of a forward of ...: message/rfc822 nested `depth` times, every
    message (the outer one too) with its own PDF (forward_payload(level))."""
    inner = None
    for level in range(depth, -1, -1):  # innermost first; level 0 is the outer message
        msg = _mp("mixed", f"fwd{level}")
        msg.attach(MIMEText(f"Forwarded at level {level}.", "plain", "utf-8"))
        msg.attach(
            _attachment(
                forward_payload(level), "application", "pdf", f"level-{level}.pdf"
            )
        )
        if inner is not None:
            wrapped = MIMEMessage(inner)
            wrapped.add_header(
                "Content-Disposition", "attachment", filename=f"forward-{level + 1}.eml"
            )
            msg.attach(wrapped)
        _headers(
            msg,
            subject=f"Fwd: level {level}",
            sender=f"fw{level}@vendor.test",
            message_id=f"<fwd-{depth}-{level}@vendor.test>",
        )
        inner = msg
    assert inner is not None
    return inner.as_bytes()


def corrupted_tnef() -> bytes:
    """winmail.dat with a valid signature, then an attribute claiming 2 GB of data."""
    blob = struct.pack("<IH", 0x223E9F78, 1) + b"\x02\x05\x90\x06\x00\xff\xff\xff\x7f"
    return tnef_message(blob + b"x" * 40, message_id="<tnef-bad-1@vendor.test>")


def big_attachment(size: int = 20_000_000) -> tuple[bytes, bytes]:
    """A message with one attachment of `size` bytes; returns (raw, attachment)."""
    data = pdf("big") + random.Random(20).randbytes(size - len(pdf("big")))
    head = (
        b"From: Big Sender <big@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: Large scan\r\n"
        b"Message-ID: <big-1@vendor.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="BIG"\r\n\r\n'
        b"--BIG\r\nContent-Type: text/plain\r\n\r\nlarge file\r\n"
        b"--BIG\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="large.pdf"\r\n\r\n'
    )
    return head + base64.encodebytes(data) + b"--BIG--\r\n", data


def deep_nesting(levels: int = 1000) -> bytes:
    """multipart/mixed nested `levels` deep, a text part at the bottom."""
    head = (
        b"From: Nester <nest@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: Deep\r\n"
        b"Message-ID: <deep-1@vendor.test>\r\n"
        b"MIME-Version: 1.0\r\n"
    )
    opening, closing = [], []
    for i in range(levels):
        opening.append(
            f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
        )
        closing.append(f"\r\n--b{i}--\r\n".encode())
    leaf = b"Content-Type: text/plain\r\n\r\nbottom"
    return head + b"".join(opening) + leaf + b"".join(reversed(closing))


def many_parts(count: int = 600) -> bytes:
    """multipart/mixed with `count` small CSV attachments."""
    parts = [
        f"--MANY\r\nContent-Type: text/csv\r\n"
        f'Content-Disposition: attachment; filename="row-{i}.csv"\r\n\r\n{i};x\r\n'
        for i in range(count)
    ]
    return (
        "From: Many <many@vendor.test>\r\n"
        f"To: {INBOX}\r\nSubject: Many parts\r\nMessage-ID: <many-1@vendor.test>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="MANY"\r\n\r\n'
        + "".join(parts)
        + "--MANY--\r\n"
    ).encode()


def garbage(size: int = 4096) -> bytes:
    return random.Random(99).randbytes(size)


def nearly_empty() -> bytes:
    """One NUL byte: an empty message is refused at the mutation, this one is not,
    and there is nothing in it to read."""
    return b"\x00"
