"""The new text of a reply: what its author wrote, without the quoted history and
the signature (mail-parser-reply, which knows the "On … wrote:" lines of many
languages)."""

import re

from mailparser_reply import EmailReplyParser

# Enough for any reply a person writes; the parser's regexes stay fast within it.
MAX_INPUT_CHARS = 32 * 1024
# Its patterns backtrack badly on long runs of empty lines (65,000 take minutes;
# to a reader they are one blank line) and on long lines ("On " 10,000 times in
# one line takes a minute). No attribution or signature line is long: a long line
# is handed to it as a short mark and put back in the result.
_BLANK_RUNS = re.compile(r"\n(?:[ \t]*\n)+")
LONG_LINE = 200
_MARK = re.compile(r"mailroom-long-line-(\d+)\.")
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
    """The latest reply's own text ("" for an empty body)."""
    if not plain.strip():
        return ""
    text = _BLANK_RUNS.sub("\n\n", plain.replace("\r\n", "\n"))[:MAX_INPUT_CHARS]
    long_lines: list[str] = []

    def mark(line: str) -> str:
        if len(line) <= LONG_LINE:
            return line
        long_lines.append(line)
        return f"mailroom-long-line-{len(long_lines) - 1}."

    short = "\n".join(mark(line) for line in text.split("\n"))
    try:
        replies = EmailReplyParser(languages=LANGUAGES).read(short)
    except Exception:  # a body the parser's patterns choke on: the text itself
        return text.strip()
    if not replies.replies:
        return ""
    found = (replies.replies[0].body or "").strip()
    return _MARK.sub(lambda m: long_lines[int(m.group(1))], found)
