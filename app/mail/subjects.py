"""Subject normalization for the thread fallback (pure)."""

import re

# Reply/forward prefixes in several languages, and [list tags], repeated.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|tr|antw|rif|r)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*",
    re.IGNORECASE,
)


def normalize_subject(subject: str) -> str:
    text = subject
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def reply_subject(subject: str) -> str:
    """ "Re: subject", without stacking a second prefix."""
    if re.match(r"^\s*re\s*:", subject, re.IGNORECASE):
        return subject
    return f"Re: {subject}".strip()


def forward_subject(subject: str) -> str:
    """ "Fwd: subject", without stacking a second prefix."""
    if re.match(r"^\s*fwd?\s*:", subject, re.IGNORECASE):
        return subject
    return f"Fwd: {subject}".strip()
