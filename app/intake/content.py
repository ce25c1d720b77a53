"""The heavy reading of a message's content, done in the parse child under its time
limit and memory cap (see parse_runner), never on the worker's event loop: each
attachment's type from its bytes (archives opened), the plain text (HTML made
text), the new text of a reply and the sanitized HTML, all as large as a sender
makes them."""

import secrets

from app.documents.sniffing import sniff_mime_type
from app.intake.parsed import ParsedMessage
from app.intake.replies import reply_text
from app.mail.bodies import sanitize_html, text_from_html


def read_content(result: ParsedMessage) -> ParsedMessage:
    for attachment in result.attachments:
        attachment.mime_type = sniff_mime_type(
            attachment.data,
            declared=attachment.declared_type,
            filename=attachment.filename,
        )
        attachment.inline = bool(
            attachment.mime_type.startswith("image/")
            and attachment.content_id
            and attachment.content_id.lower() in result.html_cids
        )
    result.plain = plain_text(result)
    result.reply = reply_text(result.plain)
    # The email's id (part of a part's URL) exists only once the worker stores it:
    # inline images point at a mark it replaces, unguessable by the sender.
    result.part_url_mark = f"/mailroom-part-{secrets.token_hex(12)}/"
    result.safe_html = sanitize_html(
        result.html,
        cid_url={
            a.content_id.lower(): result.part_url_mark + a.part_id
            for a in result.attachments
            if a.inline and a.content_id
        },
    )
    return result


def plain_text(result: ParsedMessage) -> str:
    """Every inline text part in order, HTML made text (an HTML-only body, or the
    HTML part of a message whose list footer is plain text)."""
    texts = [
        (text if ctype == "text/plain" else text_from_html(text))
        .replace("\r\n", "\n")
        .strip("\n")
        for ctype, text in result.inline_texts
    ]
    return "\n\n".join(t for t in texts if t.strip())
