"""Arrival order does not change threads: an email that connects emails already
here (it is their late parent, or it names ancestors they name) brings them into
its thread and becomes their parent where JWZ would draw it so."""

from app.mail.models import Email, ThreadMatchMethod
from app.mail.relations import EmailReference
from app.threads.matching import emails_by_message_id
from app.threads.parents import choose_parent, referenced_ids
from app.threads.service import (
    descendants,
    merge_threads,
    move_emails,
    recompute_thread,
)

# A parent chain longer than this is not followed when looking for a loop.
MAX_DEPTH = 1000


async def relink(email: Email, *, named: bool = True) -> None:
    """Call after `email` and its references are stored, in the same transaction;
    `named` False when threading found no stored reference naming the email."""
    if email.email_thread_id is None:
        return
    thread_id = email.email_thread_id
    refs = referenced_ids(email.in_reply_to, email.references)
    connected = [*(await emails_by_message_id(email.queue_id, refs)).values()]
    # Emails naming the same ancestors: only those elsewhere (a thread's root is
    # named by all of its emails, which are here already).
    connected += await _naming(email, refs, outside=thread_id)
    named = named and bool(email.message_id)
    children = await _naming(email, [email.message_id] if named else [])
    for other in [*connected, *children]:
        if other.email_thread_id != thread_id:  # merges only bring emails here
            await _join(thread_id, other.id)
    # A merge or move recomputed the thread already, and storing the email kept
    # it in step (`_touch_thread`): only new parents can change its root.
    if children and await _reparent(thread_id, [c.id for c in children]):
        await recompute_thread(thread_id)


async def _naming(
    email: Email, ids: list[str], *, outside: int | None = None
) -> list[Email]:
    """The other emails of the queue that refer to any of `ids` (not those of
    the thread `outside`)."""
    if not ids:
        return []
    query = EmailReference.filter(queue_id=email.queue_id, message_id__in=ids)
    if outside is not None:
        query = query.exclude(email__email_thread_id=outside)
    rows = await query.values_list("email_id", flat=True)
    found = {pk for pk in rows if pk != email.id}
    return await Email.filter(id__in=found).order_by("id") if found else []


async def _join(thread_id: int, email_id: int) -> None:
    """Bring an email connected to the thread into it: its whole thread when it
    is there by its own headers, only it and what hangs off it when it was
    guessed by subject. What people put somewhere (MANUAL) stays there."""
    email = await Email.get(id=email_id)
    if email.email_thread_id in (None, thread_id):
        return
    if email.thread_match_method is ThreadMatchMethod.MANUAL:
        return
    source_id = email.email_thread_id
    if email.thread_match_method is ThreadMatchMethod.SUBJECT_PARTICIPANTS:
        moving = [e.id for e in await descendants(email)]
        # Headers outrank the guess: withdrawn, it no longer names an email there.
        await Email.filter(id=email.id).update(
            thread_match_method=ThreadMatchMethod.NEW_THREAD, thread_match_email_id=None
        )
        await move_emails(moving, source_id=source_id, target_id=thread_id)
        return
    if await Email.exists(
        email_thread_id__in=[source_id, thread_id],
        thread_match_method=ThreadMatchMethod.MANUAL,
    ):
        return  # threads someone split, merged or moved into are not undone
    await merge_threads(target_id=thread_id, source_id=source_id)


async def _reparent(thread_id: int, child_ids: list[int]) -> bool:
    """Each child's parent, as the emails now here name it; never a loop. Whether
    any parent changed."""
    members = await Email.filter(email_thread_id=thread_id)
    parent_of = {e.id: e.parent_id for e in members}
    children = [e for e in members if e.id in set(child_ids)]
    wanted = {m for c in children for m in referenced_ids(c.in_reply_to, c.references)}
    found = await emails_by_message_id(members[0].queue_id, [*wanted])
    known = {m: e for m, e in found.items() if e.email_thread_id == thread_id}
    changed = False
    for child in children:
        if child.thread_match_method is ThreadMatchMethod.MANUAL:
            continue
        choice = choose_parent(
            message_id=child.message_id,
            in_reply_to=child.in_reply_to,
            references=child.references,
            known=known,
        )
        if choice is None:
            continue
        parent = known[choice.message_id]
        if parent.id == child.parent_id or _ancestor(child.id, parent.id, parent_of):
            continue
        parent_of[child.id] = parent.id
        await Email.filter(id=child.id).update(
            parent_id=parent.id,
            thread_match_email_id=parent.id,
            thread_match_method=choice.method,
        )
        changed = True
    return changed


def _ancestor(candidate: int, start: int, parent_of: dict[int, int | None]) -> bool:
    """Whether `candidate` is `start` or one of its ancestors."""
    node: int | None = start
    for _ in range(MAX_DEPTH):
        if node is None:
            return False
        if node == candidate:
            return True
        node = parent_of.get(node)
    return True
