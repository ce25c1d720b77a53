"""Subject normalization for the thread fallback (pure)."""

import re

# The subject column's width: a thread's key is made from at most this much, and
# is at most this long, whatever a message's Subject holds (~100 kB seen in the wild).
SUBJECT_MAX = 998

# How much of a subject is read: its prefixes and the first SUBJECT_MAX characters
# after them, so that the key is the same whether a subject was cut or not. The
# parser keeps this much of a Subject (storage keeps SUBJECT_MAX).
SUBJECT_WINDOW = SUBJECT_MAX * 4
_WINDOW = SUBJECT_WINDOW

# Reply/forward prefixes in several languages ("Re[2]:", "RE :", full-width colons).
_REPLY = re.compile(
    r"^(?:re|fwd?|aw|wg|sv|vs|tr|antw|rif|r|odp|ynt|enc|res|ref|réf|回复|答复|转发)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*|\(fwd\)\s*",
    re.IGNORECASE,
)
# [list tags].
_TAG = re.compile(r"^\[[^\]]{0,100}\]\s*")
# A subject made only of prefixes is stripped at most this many times per kind.
_MAX_PREFIXES = 100


def _strip(subject: str) -> tuple[str, bool]:
    """The subject without its leading prefixes and tags; whether one of them was a
    reply or forward prefix."""
    text = subject.lstrip()
    replied = False
    for _ in range(_MAX_PREFIXES):
        if m := _REPLY.match(text):
            replied = True
        elif not (m := _TAG.match(text)):
            break
        text = text[m.end() :]
    return text, replied


def normalize_subject(subject: str) -> str:
    """The thread key: prefixes and list tags removed, whitespace collapsed,
    case-folded, bounded by the column."""
    text, _ = _strip(subject[:_WINDOW])
    return " ".join(text[:_WINDOW].split()).casefold()[:SUBJECT_MAX]


def is_reply_subject(subject: str) -> bool:
    """Whether the subject says it answers or forwards something (Re:, Fwd:, AW:...,
    also behind a list tag). A message that does not claim to continue a
    conversation never joins one by its subject."""
    return _strip(subject[:_WINDOW])[1]


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
