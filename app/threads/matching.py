"""Which thread an incoming email joins: its headers first (JWZ), then the emails
naming the same ancestors; a message without threading headers by its subject
with a shared person; else a new thread."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, ThreadMatchMethod
from app.mail.relations import EmailParticipant, EmailReference
from app.mail.subjects import is_reply_subject, normalize_subject
from app.threads.parents import choose_parent, referenced_ids

SUBJECT_WINDOW = timedelta(days=30)


@dataclass
class ThreadMatch:
    thread: EmailThread | None
    method: ThreadMatchMethod
    matched: Email | None = None
    parent: Email | None = None
    # False when no stored reference names the message: re-linking then has no
    # children to look for (the queue's lock keeps it so until commit).
    named: bool = True


@dataclass(kw_only=True)
class Incoming:
    """What threading reads of a message."""

    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    participants: set[str]
    list_addresses: list[str]


async def lock_queue(queue_id: int) -> None:
    """Serialize threading within a queue until the transaction ends, so a reply
    and its parent imported at the same time each see the other (PostgreSQL; a
    SQLite write transaction holds the database already: BEGIN IMMEDIATE, see
    app.sqlite_engine, so no statement is sent there)."""
    if Queue._meta.db.capabilities.dialect == "sqlite":
        return
    await Queue.select_for_update().filter(id=queue_id).first()


async def emails_by_message_id(queue_id: int, ids: list[str]) -> dict[str, Email]:
    """The queue's threaded emails with these Message-IDs, the first stored of each."""
    found: dict[str, Email] = {}
    if ids:
        for email in (
            await Email.filter(queue_id=queue_id, message_id__in=ids)
            .exclude(email_thread_id=None)
            .order_by("id")
        ):
            found.setdefault(email.message_id, email)
    return found


async def match_thread(
    *, organization_id: int, queue_id: int, incoming: Incoming, now: datetime
) -> ThreadMatch:
    """Call inside the import's transaction (it takes the queue's threading lock)."""
    await lock_queue(queue_id)
    refs = referenced_ids(incoming.in_reply_to, incoming.references)
    known = await emails_by_message_id(queue_id, refs)
    choice = choose_parent(
        message_id=incoming.message_id,
        in_reply_to=incoming.in_reply_to,
        references=incoming.references,
        known=known,
    )
    if choice is not None:
        parent = known[choice.message_id]
        thread = await EmailThread.get(id=parent.email_thread_id)
        return ThreadMatch(thread, choice.method, matched=parent, parent=parent)
    # Replies to an ancestor we lack share its thread, as under JWZ's empty container.
    if refs and (sibling := await _naming_the_same(queue_id, refs)) is not None:
        thread = await EmailThread.get(id=sibling.email_thread_id)
        return ThreadMatch(thread, ThreadMatchMethod.REFERENCES, matched=sibling)
    # A message naming ancestors we lack waits for them (re-linking), as a mail
    # client draws it; so do replies waiting for this message. Guessing by subject
    # is for mail whose client dropped the headers.
    if refs or (
        incoming.message_id
        and await EmailReference.exists(
            queue_id=queue_id, message_id=incoming.message_id
        )
    ):
        return ThreadMatch(None, ThreadMatchMethod.NEW_THREAD)
    match = await _by_subject(organization_id, queue_id, incoming, now)
    if match is not None:
        thread = await EmailThread.get(id=match.email_thread_id)
        return ThreadMatch(
            thread, ThreadMatchMethod.SUBJECT_PARTICIPANTS, match, named=False
        )
    return ThreadMatch(None, ThreadMatchMethod.NEW_THREAD, named=False)


async def _naming_the_same(queue_id: int, refs: list[str]) -> Email | None:
    row = (
        await EmailReference.filter(queue_id=queue_id, message_id__in=refs)
        .order_by("email_id")
        .first()
    )
    return await Email.get_or_none(id=row.email_id) if row is not None else None


async def _by_subject(
    organization_id: int, queue_id: int, incoming: Incoming, now: datetime
) -> Email | None:
    """The newest email of a recent thread with this subject that shares a person
    with the message. Inbox and mailing-list addresses are not people (every
    message to an inbox or through a list has them), and a message that does not
    say it answers something (no Re:, Fwd:...) starts its own conversation."""
    key = normalize_subject(incoming.subject)
    if not key or not is_reply_subject(incoming.subject):
        return None
    inboxes = set(
        await Inbox.filter(organization_id=organization_id).values_list(
            "email", flat=True
        )
    )
    people = incoming.participants - inboxes - set(incoming.list_addresses)
    if not people:
        return None
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
    return match.email if match is not None else None


async def record_references(email: Email) -> None:
    """The ids the email refers to (bounded), so that they can find it later."""
    is_reply = set(email.in_reply_to[:1])
    ids = referenced_ids(email.in_reply_to, email.references)
    if ids:
        await EmailReference.bulk_create(
            [
                EmailReference(
                    email_id=email.id,
                    queue_id=email.queue_id,
                    message_id=m[:998],
                    in_reply_to=m in is_reply,
                )
                for m in ids
            ]
        )
