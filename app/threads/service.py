"""Threading: which thread an incoming email joins, late-parent re-linking, merges."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from app.core.errors import InvalidInput
from app.documents.models import Annotation
from app.inboxes.models import Inbox
from app.mail.models import Email, EmailThread, ThreadMatchMethod
from app.mail.relations import EmailLinkedObject, EmailParticipant, EmailReference
from app.mail.service import get_email
from app.mail.subjects import normalize_subject

SUBJECT_WINDOW = timedelta(days=30)


@dataclass
class ThreadMatch:
    thread: EmailThread | None
    method: ThreadMatchMethod
    matched: Email | None = None
    parent: Email | None = None


async def match_thread(
    *,
    organization_id: int,
    queue_id: int,
    in_reply_to: list[str],
    references: list[str],
    subject: str,
    participants: set[str],
    now: datetime,
) -> ThreadMatch:
    """Headers first (newest referenced email), then subject + shared participant
    within 30 days, else a new thread. Inbox addresses never count as shared: every
    message to an inbox has that recipient."""
    refs = list(dict.fromkeys([*in_reply_to, *references]))
    if refs:
        parent = (
            await Email.filter(queue_id=queue_id, message_id__in=refs)
            .exclude(email_thread_id=None)
            .order_by("-created_at", "-id")
            .first()
        )
        if parent is not None:
            method = (
                ThreadMatchMethod.IN_REPLY_TO
                if parent.message_id in in_reply_to
                else ThreadMatchMethod.REFERENCES
            )
            thread = await EmailThread.get(id=parent.email_thread_id)
            return ThreadMatch(thread, method, matched=parent, parent=parent)
    key = normalize_subject(subject)
    inboxes = set(
        await Inbox.filter(organization_id=organization_id).values_list(
            "email", flat=True
        )
    )
    people = participants - inboxes
    if key and people:
        match = (
            await EmailParticipant.filter(
                address__in=people,
                email__queue_id=queue_id,
                email__email_thread__normalized_subject=key,
                email__email_thread__last_email_created_at__gte=now - SUBJECT_WINDOW,
            )
            .order_by("-email__created_at", "-email_id")
            .first()
            .prefetch_related("email")
        )
        if match is not None:
            thread = await EmailThread.get(id=match.email.email_thread_id)
            return ThreadMatch(
                thread, ThreadMatchMethod.SUBJECT_PARTICIPANTS, matched=match.email
            )
    return ThreadMatch(None, ThreadMatchMethod.NEW_THREAD)


async def inherit_links(email: Email) -> int:
    """An incoming email that joined a thread whose emails are linked to external
    objects is linked to them too, marked autoLinked; how many links it got."""
    if email.email_thread_id is None:
        return 0
    have = set(
        await EmailLinkedObject.filter(email_id=email.id).values_list(
            "type", "object_id"
        )
    )
    links = (
        await EmailLinkedObject.filter(
            email__email_thread_id=email.email_thread_id,
            email__organization_id=email.organization_id,
        )
        .exclude(email_id=email.id)
        .order_by("id")
        .values_list("type", "object_id")
    )
    new = [link for link in dict.fromkeys(links) if link not in have]
    await EmailLinkedObject.bulk_create(
        [
            EmailLinkedObject(
                email_id=email.id, type=kind, object_id=object_id, auto_linked=True
            )
            for kind, object_id in new
        ]
    )
    return len(new)


async def record_references(
    email: Email, in_reply_to: list[str], references: list[str]
) -> None:
    rows = {m: True for m in in_reply_to}
    for m in references:
        rows.setdefault(m, False)
    if rows:
        await EmailReference.bulk_create(
            [
                EmailReference(
                    email_id=email.id,
                    queue_id=email.queue_id,
                    message_id=m,
                    in_reply_to=is_reply,
                )
                for m, is_reply in rows.items()
            ]
        )


async def relink_waiting_children(parent: Email) -> int:
    """Emails that referenced `parent` before it arrived become its children, and
    their threads join the parent's. Returns how many were re-linked."""
    thread_id = parent.email_thread_id
    if not parent.message_id or thread_id is None:  # no thread for them to join
        return 0
    waiting = await EmailReference.filter(
        queue_id=parent.queue_id, message_id=parent.message_id
    ).exclude(email_id=parent.id)
    relinked = 0
    for ref in waiting:
        child = await Email.get(id=ref.email_id)
        weak = child.parent_id is None or (
            ref.in_reply_to
            and child.thread_match_method is not ThreadMatchMethod.IN_REPLY_TO
        )
        if not weak:
            continue
        child.parent_id = parent.id
        child.thread_match_email_id = parent.id
        child.thread_match_method = (
            ThreadMatchMethod.IN_REPLY_TO
            if ref.in_reply_to
            else ThreadMatchMethod.REFERENCES
        )
        await child.save(
            update_fields=["parent_id", "thread_match_email_id", "thread_match_method"]
        )
        if child.email_thread_id != thread_id and child.email_thread_id:
            await merge_threads(target_id=thread_id, source_id=child.email_thread_id)
        relinked += 1
    if relinked:
        await recompute_thread(thread_id)
    return relinked


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


async def move_subtree(email: Email, target: EmailThread) -> None:
    """Move an email and its descendants to `target` (same queue), by hand."""
    moving = await descendants(email)
    source_id = email.email_thread_id
    ids = [e.id for e in moving]
    await Email.filter(id__in=ids).update(email_thread_id=target.id)
    await Annotation.filter(email_id__in=ids).update(email_thread_id=target.id)
    if source_id is not None and not await Email.exists(email_thread_id=source_id):
        # The whole thread moved: annotations attached to it (not via an email) follow.
        await Annotation.filter(email_thread_id=source_id).update(
            email_thread_id=target.id
        )
    await Email.filter(id=email.id).update(
        thread_match_method=ThreadMatchMethod.MANUAL,
        thread_match_email_id=target.root_email_id,
    )
    await recompute_thread(target.id)
    if source_id is not None:
        await recompute_thread(source_id)


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
