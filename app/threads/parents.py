"""Which email a message answers, as a mail client draws it (JWZ, pure).

The parent is the In-Reply-To target when we have it, else the last References id
we have (References lists the ancestors oldest first, RFC 5322 3.6.4): missing
ancestors are skipped, as JWZ prunes their empty containers.
"""

from collections.abc import Collection
from dataclasses import dataclass

from app.mail.models import ThreadMatchMethod

# A References header can list hundreds of ids; a parent is found among the last
# ones, and the first one (the root) keeps a thread together. Bounding them bounds
# every lookup and the reference rows of one email.
MAX_REFERENCES = 40


@dataclass(frozen=True)
class ParentRef:
    message_id: str
    method: ThreadMatchMethod


def referenced_ids(in_reply_to: list[str], references: list[str]) -> list[str]:
    """The ids a message refers to, bounded and each once: its In-Reply-To, the
    first References id and the last ones."""
    refs = references
    if len(refs) > MAX_REFERENCES:
        refs = [refs[0], *refs[-(MAX_REFERENCES - 1) :]]
    return list(dict.fromkeys([*in_reply_to[:1], *refs]))


def choose_parent(
    *,
    message_id: str,
    in_reply_to: list[str],
    references: list[str],
    known: Collection[str],
) -> ParentRef | None:
    """The parent among the `known` Message-IDs, or None."""
    for candidate in in_reply_to[:1]:
        if candidate in known and candidate != message_id:
            return ParentRef(candidate, ThreadMatchMethod.IN_REPLY_TO)
    for candidate in reversed(referenced_ids([], references)):
        if candidate in known and candidate != message_id:
            return ParentRef(candidate, ThreadMatchMethod.REFERENCES)
    return None
