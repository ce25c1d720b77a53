"""A constructed mailing-list archive: conversations on one list (List-Id), several
under the same subject ("help"), replies by References chains, by In-Reply-To
alone, by References alone or truncated ones, and one conversation whose first
message is not in the archive. Deterministic for a seed."""

import random
from dataclasses import dataclass

from tests.threads.jwz_reference import Message
from tests.threads.list_mail import list_message

PEOPLE = [
    "Dan <dan@people.test>",
    "Eve <eve@people.test>",
    "Frank <frank@people.test>",
    "Grace <grace@people.test>",
    "Heidi <heidi@people.test>",
    "Ivan <ivan@people.test>",
    "Judy <judy@people.test>",
    "Mallory <mallory@people.test>",
]
# (subject, who starts it); Dan asks "help" twice, and Eve answers everywhere.
CONVERSATIONS = [
    ("help", 0),
    ("help", 1),
    ("help", 0),
    ("help", 2),
    ("Build fails on ARM", 3),
    ("Release 2.0 schedule", 4),
    ("[patch] typo in README", 5),
    ("Question about the license", 6),
    ("help", 7),
    ("Segfault in the parser", 1),
]
MISSING_ROOT = "<before-the-archive@people.test>"


@dataclass
class Post:
    message_id: str
    sender: str
    subject: str
    chain: list[str]  # the ancestors' ids, root first
    in_reply_to: list[str]
    references: list[str]
    raw: bytes = b""

    def as_jwz(self) -> Message:
        return Message(self.message_id, tuple(self.in_reply_to), tuple(self.references))


def _reply(rng: random.Random, n: int, parent: Post, subject: str) -> Post:
    chain = [*parent.chain, parent.message_id]
    style = rng.random()
    if style < 0.55:  # a well-behaved client
        irt, refs = [parent.message_id], chain
    elif style < 0.75:  # In-Reply-To only
        irt, refs = [parent.message_id], []
    elif style < 0.9:  # References only
        irt, refs = [], chain
    else:  # References cut to the root and the last two
        irt, refs = (
            [parent.message_id],
            [chain[0], *chain[-2:]] if len(chain) > 3 else chain,
        )
    sender = rng.choice(PEOPLE[:2] * 3 + PEOPLE)
    tag = "[help] " if rng.random() < 0.3 else ""
    return Post(f"<m{n}@people.test>", sender, f"{tag}Re: {subject}", chain, irt, refs)


def build_archive(seed: int = 11) -> list[Post]:
    """About 80 posts in the order they were sent."""
    rng = random.Random(seed)
    posts: list[Post] = []
    n = 0
    starts = [(s, PEOPLE[i]) for s, i in CONVERSATIONS] + [("help", None)]
    for subject, sender in starts:
        if sender is None:  # its first message was sent before the archive begins
            conversation = [Post(MISSING_ROOT, PEOPLE[0], subject, [], [], [])]
        else:
            n += 1
            conversation = [Post(f"<m{n}@people.test>", sender, subject, [], [], [])]
        for _ in range(rng.randint(5, 8)):
            n += 1
            conversation.append(_reply(rng, n, rng.choice(conversation), subject))
        posts += [p for p in conversation if p.message_id != MISSING_ROOT]
    for when, post in enumerate(posts):
        post.raw = list_message(
            sender=post.sender,
            subject=post.subject,
            message_id=post.message_id,
            in_reply_to=" ".join(post.in_reply_to) or None,
            references=post.references or None,
            cc=rng.choice(PEOPLE) if rng.random() < 0.3 else None,
            when=1_700_000_000 + 600 * when,
        )
    return posts
