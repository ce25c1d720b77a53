"""An attachment's file name as a mail client finds it: RFC 2231 `filename*`, then
`filename` with RFC 2047 encoded words (also inside quotes, which RFC 2047 forbids
and real mailers send), then Content-Type `name`. Read from the raw header values
with the compat32 parameter parser, so a header the policy fails on still names
its part."""

from email.message import Message
from email.utils import collapse_rfc2231_value

from app.intake.decoding import clean_text, decode_words

_HEADERS = (("content-disposition", "filename"), ("content-type", "name"))


def part_filename(part: Message) -> str | None:
    """The part's file name, or None when it has none."""
    candidates = _params(part)
    for header, param in _HEADERS:
        for rfc2231 in (True, False):
            for key, name, value in candidates:
                if (key, name) != (header, param) or isinstance(
                    value, tuple
                ) != rfc2231:
                    continue
                found = _text(value)
                if found:
                    return found
    return None


def _params(part: Message) -> list[tuple[str, str, str | tuple[str, str, str]]]:
    """(header, parameter, value) of the raw Content-Disposition and Content-Type;
    RFC 2231 values are (charset, language, text) tuples, continuations joined."""
    compat = Message()  # policy compat32: parameters as they were written
    for key, value in part.raw_items():
        if key.lower() in ("content-disposition", "content-type"):
            compat[key] = clean_text(str(value))
    found: list[tuple[str, str, str | tuple[str, str, str]]] = []
    for header, _ in _HEADERS:
        try:
            params = compat.get_params(header=header, failobj=[]) or []
        except Exception:  # nothing more to read it with: no name from this header
            continue
        found += [(header, name.lower(), value) for name, value in params[1:]]
    return found


def _text(value: str | tuple[str, str, str]) -> str:
    if isinstance(value, tuple):
        try:
            return clean_text(str(collapse_rfc2231_value(value))).strip()
        except Exception:  # an unknown charset: the text as it came
            return clean_text(value[2]).strip()
    return decode_words(value.strip().strip('"')).strip()
