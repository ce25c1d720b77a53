"""Threads as people change them: merges, moves, splits, deletions, and the
derived root and dates. Matching is in app.threads.matching, re-linking in
app.threads.relinking."""

from tortoise.transactions import in_transaction

from app.core.errors import InvalidInput
from app.documents.models import Annotation
from app.mail.models import Email, EmailThread, ThreadMatchMethod
from app.mail.service import get_email
from app.mail.subjects import normalize_subject


async def merge_threads(*, target_id: int, source_id: int) -> None:
    """Move every email and annotation of `source` into `target`; delete `source`."""
    if target_id == source_id:
        return
    await Email.filter(email_thread_id=source_id).update(email_thread_id=target_id)
    await Annotation.filter(email_thread_id=source_id).update(email_thread_id=target_id)
    await EmailThread.filter(id=source_id).delete()
    await recompute_thread(target_id)


async def recompute_thread(thread_id: int) -> None:
    """Derive root, dates and reply flags of a thread from its emails; a thread
    left without emails is deleted (its annotations keep no thread)."""
    thread = await EmailThread.get(id=thread_id)
    emails = await Email.filter(email_thread_id=thread_id).order_by("created_at", "id")
    if not emails:
        await thread.delete()
        return
    # The root: the earliest email not replying to another one of the thread.
    members = {e.id for e in emails}
    roots = [e for e in emails if e.parent_id not in members]
    thread.root_email_id = (roots or emails)[0].id
    thread.last_email_created_at = emails[-1].created_at
    thread.has_replies = len(emails) > 1
    await thread.save()
    await Email.filter(email_thread_id=thread_id).update(
        last_thread_email_created_at=thread.last_email_created_at
    )


async def descendants(email: Email) -> list[Email]:
    """The email and every email of its thread that hangs off it: replies (parent)
    and emails matched into the thread through it (threadMatch.matchedEmail)."""
    members = await Email.filter(email_thread_id=email.email_thread_id)
    children: dict[int, list[Email]] = {}
    for member in members:
        for link in {member.parent_id, member.thread_match_email_id} - {member.id}:
            if link is not None:
                children.setdefault(link, []).append(member)
    found: dict[int, Email] = {email.id: email}
    stack = [email]
    while stack:
        for child in children.get(stack.pop().id, []):
            if child.id not in found:
                found[child.id] = child
                stack.append(child)
    return list(found.values())


async def move_emails(
    email_ids: list[int], *, source_id: int | None, target_id: int
) -> None:
    """Move emails and their annotations from one thread to another; recompute
    both. Emails of the target that are not moved keep their parents."""
    await Email.filter(id__in=email_ids).update(email_thread_id=target_id)
    await Annotation.filter(email_id__in=email_ids).update(email_thread_id=target_id)
    if source_id is not None and not await Email.exists(email_thread_id=source_id):
        # The whole thread moved: annotations attached to it (not via an email) follow.
        await Annotation.filter(email_thread_id=source_id).update(
            email_thread_id=target_id
        )
    await recompute_thread(target_id)
    if source_id is not None:
        await recompute_thread(source_id)


async def move_subtree(email: Email, target: EmailThread) -> None:
    """Move an email and its descendants to `target` (same queue), by hand. The
    email's parent stays behind, so it is no longer its parent: a parent is
    always in the same thread."""
    moving = await descendants(email)
    await Email.filter(id=email.id).update(
        parent_id=None,
        thread_match_method=ThreadMatchMethod.MANUAL,
        thread_match_email_id=target.root_email_id,
    )
    await move_emails(
        [e.id for e in moving], source_id=email.email_thread_id, target_id=target.id
    )


async def split_thread(email: Email) -> EmailThread:
    """The email and its descendants become a new thread; something must stay."""
    moving = await descendants(email)
    if len(moving) >= await Email.filter(email_thread_id=email.email_thread_id).count():
        raise InvalidInput(
            "Every email of the thread descends from this one; nothing would be split.",
            field="email",
        )
    thread = await EmailThread.create(
        organization_id=email.organization_id,
        queue_id=email.queue_id,
        subject=email.subject,
        normalized_subject=normalize_subject(email.subject),
        created_at=email.created_at,
        last_email_created_at=email.created_at,
    )
    await move_subtree(email, thread)
    await Email.filter(id=email.id).update(thread_match_email_id=None)
    return await EmailThread.get(id=thread.id)


async def merge_manually(target: EmailThread, source: EmailThread) -> None:
    """Merge `source` into `target`; its root records the MANUAL match."""
    if source.root_email_id is not None:
        await Email.filter(id=source.root_email_id).update(
            thread_match_method=ThreadMatchMethod.MANUAL,
            thread_match_email_id=target.root_email_id,
        )
    await merge_threads(target_id=target.id, source_id=source.id)


async def mark_read(thread: EmailThread) -> None:
    await Email.filter(email_thread_id=thread.id, unread=True).update(unread=False)
    await EmailThread.filter(id=thread.id).update(has_new_replies=False)


async def delete_email(*, organization_id: int, email_id: int) -> None:
    """Delete an email; its documents and annotations stay, unlinked from it."""
    async with in_transaction():
        email = await get_email(organization_id=organization_id, email_id=email_id)
        await Email.filter(parent_id=email.id).update(parent_id=email.parent_id)
        thread_id = email.email_thread_id
        await email.delete()
        if thread_id is not None:
            await recompute_thread(thread_id)
