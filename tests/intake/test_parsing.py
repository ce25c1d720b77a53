"""parse_message (pure): what a mail client would read, whatever the damage."""

from app.documents.sniffing import matches_accepted, sanitize_filename, sniff_mime_type
from app.intake.parsing import parse_message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def message(*parts: str) -> bytes:
    return "\r\n".join(parts).encode()


def test_headers_bodies_and_an_attachment_with_an_encoded_name():
    raw = message(
        'From: "Vendor, Billing" <billing@vendor.example>',
        "To: Acme <in@acme.example>, other@acme.example",
        "Subject: =?utf-8?q?Rechnung_f=C3=BCr_M=C3=A4rz?=",
        "Message-ID: <m1@vendor.example>",
        "In-Reply-To: <m0@acme.example>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hello",
        "--b",
        "Content-Type: application/pdf",
        "Content-Disposition: attachment; filename*=utf-8''M%C3%A4rz.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--b--",
        "",
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Rechnung für März"
    assert (parsed.from_address, parsed.from_name) == (
        "billing@vendor.example",
        "Vendor, Billing",
    )
    assert [a["email"] for a in parsed.to] == ["in@acme.example", "other@acme.example"]
    assert parsed.message_id == "<m1@vendor.example>"
    assert parsed.in_reply_to == ["<m0@acme.example>"]
    assert parsed.text.strip() == "Hello"
    (attachment,) = parsed.attachments
    assert attachment.filename == "März.pdf" and attachment.data == b"%PDF-1.4\n"


def test_a_message_without_headers_or_with_broken_base64_still_parses():
    parsed = parse_message(b"just some text\r\n")
    assert parsed.subject == "" and parsed.message_id == ""
    broken = message(
        "Subject: x",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        "",
        "@@@not base64@@@",
        "",
    )
    assert parse_message(broken).subject == "x"


def test_automatic_mail_is_marked_so_nobody_answers_it():
    raw = message("Subject: out of office", "Auto-Submitted: auto-replied", "", "away")
    assert parse_message(raw).automatic


def test_file_names_lose_paths_and_control_characters():
    assert sanitize_filename("../../etc/passwd", "x") == "passwd"
    assert sanitize_filename("C:\\temp\\a\x00b.pdf", "x") == "ab.pdf"
    assert sanitize_filename("", "attachment-1") == "attachment-1"
    long = sanitize_filename("é" * 300 + ".pdf", "x")
    assert long.endswith(".pdf") and len(long.encode()) <= 255


def test_the_bytes_decide_the_type_not_the_header():
    assert sniff_mime_type(PDF, declared="image/png", filename="a.png") == (
        "application/pdf"
    )
    assert matches_accepted("image/png", ["image/*"])
    assert not matches_accepted("application/pdf", ["image/*"])
    assert matches_accepted("application/pdf", [])
