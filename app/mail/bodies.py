"""Email bodies as stored: sanitized HTML, plain text, both cut to the byte limit."""

import html
import re

import nh3
from inscriptis import get_text

_BLANK_LINES = re.compile(r"\n\s*\n+")
# The stored text is at most BODY_MAX_BYTES: 256 kB of markup holds far more,
# and inscriptis takes seconds per megabyte of tables (the parse has a time limit).
HTML_TEXT_INPUT_CHARS = 256 * 1024
_CID_SRC = re.compile(r"""(?i)\bcid:([^"'\s>)]+)""")


def truncate_utf8(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` UTF-8 bytes, cut on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    return data[:limit].decode("utf-8", "ignore"), True


def sanitize_html(source: str, *, cid_url: dict[str, str]) -> str:
    """Safe HTML: nh3's default allow-list; `cid:` images point at our authenticated
    part URLs; other image sources are dropped, so showing the body loads nothing
    remote (no tracking pixels). Links stay, marked nofollow."""
    ours = tuple(cid_url.values())

    def rewrite(match: re.Match[str]) -> str:
        url = cid_url.get(match.group(1).strip("<>").lower())
        return url if url is not None else match.group(0)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("src", "srcset", "background") and not value.startswith(
            ours or ("\0",)
        ):
            return None
        return value

    return nh3.clean(
        _CID_SRC.sub(rewrite, source),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )


def text_from_html(source: str) -> str:
    """Readable plain text of an HTML body, laid out as a browser shows it (blocks,
    lists, tables), by inscriptis; used when a message has no text part."""
    source = source[:HTML_TEXT_INPUT_CHARS]
    if not source.strip():
        return ""
    try:
        text = get_text(source)
    except Exception:  # markup lxml cannot build a tree of
        text = ""
    if not text.strip():  # or one nested deeper than lxml follows: its text, untagged
        text = html.unescape(
            nh3.clean(source, tags=set(), clean_content_tags={"script", "style"})
        )
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
