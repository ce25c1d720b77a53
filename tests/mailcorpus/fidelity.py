"""Real mail's oddities, written by hand byte for byte: encoded-word names inside
quotes, RFC 2231 names, a multipart without its boundary, obsolete header syntax,
undeclared 8-bit headers, S/MIME signatures, winmail.dat with MAPI data, a nested
message with 8-bit headers, a 100 kB subject, empty parts and a reply with its
quoted history."""

import base64
import random

from tests.mailcorpus.building import INBOX
from tests.mailcorpus.payloads import ole_document, pdf, tnef_mapi_blob

QUOTED_WORD_PDF = pdf("encoded word in quotes")
FOLDED_WORD_PDF = pdf("folded encoded words")
RFC2231_PDF = pdf("rfc 2231")
CONTINUED_PDF = pdf("rfc 2231 continued")
NAME_ONLY_PDF = pdf("name only")
NESTED_PDF = pdf("nested with 8-bit headers")
# A DER SEQUENCE as a PKCS #7 signature begins (puremagic calls it a catalog).
SMIME_SIGNATURE = bytes.fromhex(
    "308206a306092a864886f70d010702a0820694"
) + random.Random(7).randbytes(1700)
TNEF_DOC = ole_document("tnef word file")
TNEF_PDF = pdf("tnef mapi pdf")
BOUNDARYLESS_TEXT = "The plain version of the newsletter."
BOUNDARYLESS_HTML = "<p>The HTML version</p>"
REPLY_NEW = "Yes, Thursday works for us."


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _head(*lines: str, date: str = "Tue, 01 Dec 2026 11:00:00 +0000") -> bytes:
    return (
        "\r\n".join([*lines, f"Date: {date}", "MIME-Version: 1.0"]) + "\r\n"
    ).encode()


def _part(headers: list[str], data: bytes) -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + _b64(data)


def _word(text: str) -> str:
    return "=?utf-8?B?" + base64.b64encode(text.encode()).decode() + "?="


MARCH = "Rechnung März.pdf"


def encoded_word_names() -> bytes:
    """Names as Outlook and webmailers send them: an encoded word inside quotes
    (RFC 2047 says not to), and one split over two folded encoded words."""
    return (
        _head(
            "From: Büro <buero@vendor.test>",
            f"To: {INBOX}",
            "Subject: Rechnungen",
            "Message-ID: <names-2047@vendor.test>",
            'Content-Type: multipart/mixed; boundary="N"',
        )
        + b"\r\n--N\r\nContent-Type: text/plain\r\n\r\nzwei Rechnungen\r\n--N\r\n"
        + _part(
            [
                f'Content-Type: application/pdf; name="{_word(MARCH)}"',
                "Content-Transfer-Encoding: base64",
                f'Content-Disposition: attachment; filename="{_word(MARCH)}"',
            ],
            QUOTED_WORD_PDF,
        )
        + b"--N\r\n"
        + _part(
            [
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="'
                + _word("Übersicht ")
                + "\r\n "
                + _word("Quartal.pdf")
                + '"',
            ],
            FOLDED_WORD_PDF,
        )
        + b"--N--\r\n"
    )


def rfc2231_names() -> bytes:
    """RFC 2231 beside a plain fallback name (RFC 2231 wins), RFC 2231 in
    continuations, and a file named only by Content-Type `name`."""
    return (
        _head(
            "From: Agence <agence@vendor.test>",
            f"To: {INBOX}",
            "Subject: Devis",
            "Message-ID: <names-2231@vendor.test>",
            'Content-Type: multipart/mixed; boundary="R"',
        )
        + b"\r\n--R\r\nContent-Type: text/plain\r\n\r\ntrois fichiers\r\n--R\r\n"
        + _part(
            [
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="Devis.pdf";'
                " filename*=utf-8''%E2%82%AC-Devis%20%C3%A9t%C3%A9.pdf",
            ],
            RFC2231_PDF,
        )
        + b"--R\r\n"
        + _part(
            [
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment;",
                " filename*0*=utf-8''Tr%C3%A8s%20long%20nom%20;",
                " filename*1*=de%20fichier.pdf",
            ],
            CONTINUED_PDF,
        )
        + b"--R\r\n"
        + _part(
            [
                'Content-Type: application/pdf; name="Bon de commande.pdf"',
                "Content-Transfer-Encoding: base64",
            ],
            NAME_ONLY_PDF,
        )
        + b"--R--\r\n"
    )


def boundaryless_multipart() -> bytes:
    """A multipart whose declared boundary never appears: read as text."""
    return (
        _head(
            "From: News <news@vendor.test>",
            f"To: {INBOX}",
            "Subject: Newsletter",
            "Message-ID: <no-boundary@vendor.test>",
            'Content-Type: multipart/alternative; boundary="never-there"',
        )
        + f"\r\n{BOUNDARYLESS_TEXT}\r\n\r\n{BOUNDARYLESS_HTML}\r\n".encode()
    )


def obsolete_syntax() -> bytes:
    """RFC 5322 obs- syntax: white space before the colon of a field name."""
    return (
        b"From : Old Mailer <old@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject : Obsolete syntax still counts\r\n"
        b"Message-ID: <obsolete@vendor.test>\r\n"
        b"Date: Tue, 01 Dec 2026 11:00:00 +0000\r\n"
        b"\r\nThe body, and only the body.\r\n"
    )


CYRILLIC_NAME = "Иван Петров"
CYRILLIC_SUBJECT = "Счёт за декабрь"


def eight_bit_mixed() -> bytes:
    """Undeclared UTF-8 in From and Subject, one stray Latin-1 byte in another
    header, and a Subject mixing UTF-8 with a Latin-1 byte."""
    return (
        b"From: " + CYRILLIC_NAME.encode() + b" <ivan@vendor.test>\r\n"
        b"To: " + INBOX.encode() + b"\r\n"
        b"Subject: " + CYRILLIC_SUBJECT.encode() + b" caf\xe9\r\n"
        b"X-Mailer: Caf\xe9 Mail 1.0\r\n"
        b"Message-ID: <eight-bit-mixed@vendor.test>\r\n"
        b"Date: Tue, 01 Dec 2026 11:00:00 +0000\r\n"
        b"\r\n\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n"
    )


def smime_signed() -> bytes:
    """multipart/signed with a detached PKCS #7 signature, smime.p7s."""
    return (
        _head(
            "From: Signer <signer@vendor.test>",
            f"To: {INBOX}",
            "Subject: Signed",
            "Message-ID: <smime@vendor.test>",
            'Content-Type: multipart/signed; protocol="application/pkcs7-signature";'
            ' micalg=sha-256; boundary="S"',
        )
        + b"\r\n--S\r\nContent-Type: text/plain\r\n\r\nSigned text.\r\n--S\r\n"
        + _part(
            [
                'Content-Type: application/pkcs7-signature; name="smime.p7s"',
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="smime.p7s"',
            ],
            SMIME_SIGNATURE,
        )
        + b"--S--\r\n"
    )


def tnef_mapi() -> bytes:
    """winmail.dat whose files are MAPI properties, one ending in zeros."""
    blob = tnef_mapi_blob([("Vertrag.doc", TNEF_DOC), ("Anlage.pdf", TNEF_PDF)])
    return (
        _head(
            "From: Outlook <outlook@vendor.test>",
            f"To: {INBOX}",
            "Subject: Vertrag",
            "Message-ID: <tnef-mapi@vendor.test>",
            'Content-Type: multipart/mixed; boundary="T"',
        )
        + b"\r\n--T\r\nContent-Type: text/plain\r\n\r\nsiehe Anlage\r\n--T\r\n"
        + _part(
            [
                'Content-Type: application/ms-tnef; name="winmail.dat"',
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="winmail.dat"',
            ],
            blob,
        )
        + b"--T--\r\n"
    )


def nested_eight_bit() -> bytes:
    """A forwarded message whose own headers carry undeclared UTF-8, with a PDF."""
    inner = (
        (
            "From: Jürgen Groß <juergen@vendor.test>\r\n"
            "Subject: Grüße aus München\r\n"
            'Content-Type: multipart/mixed; boundary="I"\r\n\r\n'
            "--I\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\nÜberweisung anbei.\r\n--I\r\n"
        ).encode()
        + _part(
            [
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="Überweisung.pdf"',
            ],
            NESTED_PDF,
        )
        + b"--I--\r\n"
    )
    return (
        _head(
            "From: Anna <anna@vendor.test>",
            f"To: {INBOX}",
            "Subject: Fwd: Grüße",
            "Message-ID: <nested-8bit@vendor.test>",
            'Content-Type: multipart/mixed; boundary="O"',
        )
        + b"\r\n--O\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--O\r\n"
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + inner
        + b"\r\n--O--\r\n"
    )


def huge_subject(size: int = 100_000) -> bytes:
    words = " ".join(f"w{i}" for i in range(size // 6))
    return (
        b"From: Loud <loud@vendor.test>\r\nTo: " + INBOX.encode() + b"\r\n"
        b"Subject: " + words.encode() + b"\r\n"
        b"Message-ID: <huge-subject@vendor.test>\r\n"
        b"Date: Tue, 01 Dec 2026 11:00:00 +0000\r\n\r\nshort body\r\n"
    )


def nul_charset() -> bytes:
    """A charset name with a NUL in it (str.decode raises ValueError on it)."""
    return (
        b"From: Nul <nul@vendor.test>\r\nTo: " + INBOX.encode() + b"\r\n"
        b"Subject: charset with a NUL\r\nMessage-ID: <nul-charset@vendor.test>\r\n"
        b"Date: Tue, 01 Dec 2026 11:00:00 +0000\r\n"
        b'Content-Type: text/plain; charset="utf-8\x00"\r\n\r\nreadable\r\n'
    )


def parser_index_error() -> bytes:
    """A Content-Type on which the standard parser itself raises IndexError (its
    MIME parameter reader runs off the end of `;x<TAB>*`)."""
    return (
        b"From: Broken <broken@vendor.test>\r\nTo: " + INBOX.encode() + b"\r\n"
        b"Subject: parser trouble\r\nMessage-ID: <index-error@vendor.test>\r\n"
        b"Date: Tue, 01 Dec 2026 11:00:00 +0000\r\n"
        b"Content-Type: ;x\t*\r\n\r\nthe text survives\r\n"
    )


def empty_attachment() -> bytes:
    """An attachment with nothing in it, beside a real one."""
    return (
        _head(
            "From: Scanner <scan@vendor.test>",
            f"To: {INBOX}",
            "Subject: scans",
            "Message-ID: <empty-part@vendor.test>",
            'Content-Type: multipart/mixed; boundary="E"',
        )
        + b"\r\n--E\r\nContent-Type: text/plain\r\n\r\ntwo scans\r\n--E\r\n"
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="empty.pdf"\r\n\r\n\r\n--E\r\n'
        + _part(
            [
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="full.pdf"',
            ],
            NAME_ONLY_PDF,
        )
        + b"--E--\r\n"
    )


def reply_with_history() -> bytes:
    """A reply: new text, a signature, then the quoted message."""
    body = (
        f"{REPLY_NEW}\r\n\r\nBest regards,\r\nBob\r\n-- \r\nBob Example\r\n"
        "Vendor Ltd.\r\n\r\n"
        "On Mon, Nov 30, 2026 at 9:00 AM Alice <alice@acme.test> wrote:\r\n"
        "> Does Thursday work?\r\n> Alice\r\n"
    )
    return (
        _head(
            "From: Bob <bob@vendor.test>",
            f"To: {INBOX}",
            "Subject: Re: Meeting",
            "Message-ID: <reply-1@vendor.test>",
            "In-Reply-To: <meeting-1@acme.test>",
            "Content-Type: text/plain; charset=utf-8",
        )
        + b"\r\n"
        + body.encode()
    )
