"""A reference implementation of JWZ threading (https://www.jwz.org/doc/threading.html),
written apart from app.threads and sharing no code with it, to check it against.

Steps 1 to 4 of the algorithm: containers by Message-ID, References chains linked
without loops or re-parenting, each message's parent forced to its last reference
(In-Reply-To appended when References lacks it), empty containers pruned. Step 5
(grouping root sets by subject alone) is left out: it merges different
conversations that share a subject, which is what the measure counts as wrong.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(eq=False)
class Container:
    message_id: str
    present: bool = False
    parent: "Container | None" = None
    children: list["Container"] = field(default_factory=list)

    def reaches(self, other: "Container") -> bool:
        """Whether `other` is this container or below it."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node is other:
                return True
            stack.extend(node.children)
        return False


@dataclass(frozen=True)
class Message:
    message_id: str
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Placement:
    parent: str | None  # the parent message's id; None under a root or a dummy
    thread: str  # the id of the thread's root container (a message or a dummy)


def _link(parent: Container, child: Container) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
    child.parent = parent
    parent.children.append(child)


def _unlink(child: Container) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
        child.parent = None


def thread(messages: Iterable[Message]) -> dict[str, Placement]:
    table: dict[str, Container] = {}

    def container(message_id: str) -> Container:
        return table.setdefault(message_id, Container(message_id))

    for message in messages:
        this = container(message.message_id)
        if this.present:  # a duplicate Message-ID: the first one stands
            continue
        this.present = True
        refs = list(message.references)
        if message.in_reply_to and message.in_reply_to[0] not in refs:
            refs.append(message.in_reply_to[0])
        previous: Container | None = None
        for ref in refs:
            current = container(ref)
            if (
                previous is not None
                and current.parent is None
                and current is not previous
                and not current.reaches(previous)
            ):
                _link(previous, current)
            previous = current
        _unlink(this)
        if previous is not None and not this.reaches(previous):
            _link(previous, this)

    roots = [c for c in table.values() if c.parent is None]
    for root in roots:
        _prune(root)
    roots = [
        c for c in table.values() if c.parent is None and (c.present or c.children)
    ]
    placements: dict[str, Placement] = {}
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.present:
                up = node.parent
                placements[node.message_id] = Placement(
                    up.message_id if up is not None and up.present else None,
                    root.message_id,
                )
            stack.extend(node.children)
    return placements


def _prune(node: Container) -> None:
    """Step 4, bottom up: an empty container gives its children to its parent (at
    the root only when it has one child); one without children goes."""
    for child in list(node.children):
        _prune(child)
    if node.present:
        return
    if node.parent is not None:
        parent = node.parent
        for child in list(node.children):
            _link(parent, child)
        _unlink(node)
    elif len(node.children) == 1:
        _unlink(node.children[0])
