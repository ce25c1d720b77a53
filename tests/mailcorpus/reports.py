"""Machine-written mail, by hand as the servers write it: a delivery status
notification (RFC 3464), an abuse feedback report (RFC 5965), a read receipt
(RFC 8098), and list mail with group syntax and a footer part."""

from tests.mailcorpus.building import INBOX

DSN_TEXT = (
    "This is the mail system at host mx.vendor.test.\r\n"
    "I'm sorry to have to inform you that your message could not be delivered."
)


def _head(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def delivery_status(original_id: str = "<sent-1@acme.test>") -> bytes:
    """A bounce: human text, the machine-readable status, the returned headers."""
    return _head(
        "From: MAILER-DAEMON@mx.vendor.test (Mail Delivery System)",
        f"To: {INBOX}",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <dsn-1@mx.vendor.test>",
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="D"',
    ) + _head(
        "",
        "--D",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        DSN_TEXT,
        "--D",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.vendor.test",
        "",
        "Final-Recipient: rfc822; nobody@vendor.test",
        "Action: failed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@vendor.test>: User unknown",
        "",
        "--D",
        "Content-Type: text/rfc822-headers",
        "",
        f"Message-ID: {original_id}",
        "Subject: Your invoice",
        "--D--",
    )


def feedback_report() -> bytes:
    """An ARF abuse report: text, the feedback report, the reported message."""
    return _head(
        "From: Abuse Desk <abuse@isp.test>",
        f"To: {INBOX}",
        "Subject: FW: spam report",
        "Message-ID: <arf-1@isp.test>",
        "Date: Tue, 01 Dec 2026 10:01:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    ) + _head(
        "",
        "--F",
        "Content-Type: text/plain",
        "",
        "This is an email abuse report.",
        "--F",
        "Content-Type: message/feedback-report",
        "",
        "Feedback-Type: abuse",
        "User-Agent: SomeGenerator/1.0",
        "Version: 1",
        "--F",
        "Content-Type: message/rfc822",
        "Content-Disposition: inline",
        "",
        "From: spammer@bad.test",
        "Subject: Buy now",
        "",
        "spam",
        "--F--",
    )


def read_receipt() -> bytes:
    """A message disposition notification (read receipt)."""
    return _head(
        "From: Bob <bob@vendor.test>",
        f"To: {INBOX}",
        "Subject: Read: Your invoice",
        "Message-ID: <mdn-1@vendor.test>",
        "Date: Tue, 01 Dec 2026 10:02:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=disposition-notification;"
        ' boundary="M"',
    ) + _head(
        "",
        "--M",
        "Content-Type: text/plain",
        "",
        "Your message was displayed.",
        "--M",
        "Content-Type: message/disposition-notification",
        "",
        "Reporting-UA: mail.vendor.test; Mailer 1.0",
        "Final-Recipient: rfc822; bob@vendor.test",
        "Original-Message-ID: <sent-1@acme.test>",
        "Disposition: manual-action/MDN-sent-manually; displayed",
        "--M--",
    )


LIST_BODY = "Release 2.1 is out."
LIST_FOOTER = (
    "_______________________________________________\r\n"
    "announce mailing list\r\nhttps://lists.vendor.test/announce"
)


def list_mail() -> bytes:
    """List mail: group syntax for the hidden recipients, the text, the list's
    footer as a second inline text part."""
    return _head(
        "From: Release Bot <bot@vendor.test>",
        "To: unlisted-recipients:;",
        "Cc: announce:;",
        "Subject: [announce] Release 2.1",
        "Message-ID: <list-1@vendor.test>",
        "Date: Tue, 01 Dec 2026 10:03:00 +0000",
        "List-Id: <announce.lists.vendor.test>",
        "Precedence: list",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="L"',
    ) + _head(
        "",
        "--L",
        "Content-Type: text/plain; charset=utf-8",
        "",
        LIST_BODY,
        "--L",
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Disposition: inline",
        "",
        LIST_FOOTER,
        "--L--",
    )


HTML_FOOTER_HTML = "<html><body><p>Quarterly <b>figures</b> attached.</p></body></html>"


def html_with_text_footer() -> bytes:
    """An HTML-only message to which the list added a plain-text footer."""
    return _head(
        "From: Carol <carol@vendor.test>",
        f"To: {INBOX}",
        "Subject: [team] figures",
        "Message-ID: <list-2@vendor.test>",
        "Date: Tue, 01 Dec 2026 10:04:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="H"',
    ) + _head(
        "",
        "--H",
        "Content-Type: text/html; charset=utf-8",
        "",
        HTML_FOOTER_HTML,
        "--H",
        "Content-Type: text/plain",
        "",
        LIST_FOOTER,
        "--H--",
    )
