"""The new text of a reply: what its author wrote, without the quoted history and
the signature (mail-parser-reply, which knows the "On … wrote:" lines of many
languages)."""

from mailparser_reply import EmailReplyParser

# Enough for any reply a person writes; the parser's regexes stay fast within it.
MAX_INPUT_CHARS = 64 * 1024
LANGUAGES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pl",
    "sv",
    "da",
    "cs",
    "ja",
    "ko",
    "zh",
]


def reply_text(plain: str) -> str:
    """The latest reply's own text, or "" when the body is all quotes."""
    if not plain.strip():
        return ""
    try:
        replies = EmailReplyParser(languages=LANGUAGES).read(plain[:MAX_INPUT_CHARS])
    except Exception:  # a body the parser's patterns choke on: the text itself
        return plain[:MAX_INPUT_CHARS].strip()
    if not replies.replies:
        return ""
    return (replies.replies[0].body or "").strip()
