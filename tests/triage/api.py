"""Triage and the thread operations through GraphQL: the mutation and query
documents, readers of an email's, thread's and task's state, importing real mail,
and the checks that nothing else changed and that annotationCounts equal a recount of
the rows. Used by tests/triage and tests/threads."""

import base64
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from app.documents.models import Annotation
from app.mail.models import Email, EmailThread
from app.mail.relations import (
    EmailLabel,
    EmailLinkedObject,
    EmailRelatedAnnotation,
    EmailRelatedDocument,
)
from app.tasks.models import Task
from tests.factories import SENDER, World
from tests.helpers import (
    ERROR,
    gid,
    gid_of,
    mutate,
    pk_of,
)


def tgid(thread_id: int | None) -> str:
    return gid("EmailThread", thread_id)


# ------------------------------------------------------------------ importing real mail


def raw_message(
    *,
    subject: str,
    message_id: str,
    to: str,
    sender: str = f"Bob <{SENDER}>",
    in_reply_to: str | None = None,
    references: str | None = None,
    attachment: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(localtime=False)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references or in_reply_to:
        msg["References"] = references or in_reply_to
    msg.set_content(f"Hello,\nplease see {subject}.\n")
    if attachment:
        pdf = (
            b"%PDF-1.4\n% "
            + attachment.encode()
            + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        )
        msg.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=attachment
        )
    return msg.as_bytes()


IMPORT = f"""mutation($raw: String!, $to: String!) {{
  importEmail(input: {{rawMessageBase64: $raw, recipient: $to}}) {{
    __typename ... on Task {{ id }} {ERROR} }} }}"""


async def import_message(
    actor: Any, run_jobs: Any, world: World, **message: Any
) -> Email:
    """Import a raw message through importEmail and the worker; its stored Email."""
    raw = raw_message(to=world.inbox.email, **message)
    result = await mutate(
        actor, IMPORT, {"raw": base64.b64encode(raw).decode(), "to": world.inbox.email}
    )
    assert result["__typename"] == "Task", result
    await run_jobs()
    task = await task_state(actor, result["id"])
    assert task["status"] == "SUCCEEDED", task
    return await Email.get(id=pk_of(task["email"]["id"]))


# ---------------------------------------------------------------------- GraphQL docs

DISMISS = f"""mutation($input: DismissEmailInput!) {{ dismissEmail(input: $input) {{
  __typename ... on Task {{ id kind status email {{ id }} }} {ERROR} }} }}"""

ATTACH = f"""mutation($input: AttachEmailInput!) {{ attachEmail(input: $input) {{
  __typename ... on Task {{ id kind status email {{ id }} }} {ERROR} }} }}"""

UPDATE_EMAIL = f"""mutation($input: UpdateEmailInput!) {{ updateEmail(input: $input) {{
  __typename ... on Email {{ id status dismissedAt dismissedBy {{ id }} unread labels }}
  {ERROR} }} }}"""

UPDATE_ANNOTATION = f"""mutation($id: ID!, $status: AnnotationStatus!) {{
  updateAnnotation(input: {{id: $id, status: $status}}) {{
    __typename ... on Annotation {{ id status }} {ERROR} }} }}"""

CANCEL_TASK = f"""mutation($id: ID!) {{ cancelTask(input: {{id: $id}}) {{
  __typename ... on Task {{ id status finishedAt }} {ERROR} }} }}"""

TASK = """query($id: ID!) { task(id: $id) {
  id kind status attempts error { code message } email { id } } }"""

COUNTS = (
    "annotationCounts { annotations annotationsProcessed annotationsPurged "
    "annotationsUnprocessed annotationsRejected relatedAnnotations }"
)

EMAIL = f"""query($id: ID!) {{ email(id: $id) {{
  id type subject status dismissedAt dismissedBy {{ id }} unread labels deliveryStatus
  from {{ email }} to {{ email }} parent {{ id }} emailThread {{ id }}
  threadMatch {{ method matchedEmail {{ id }} }}
  linkedObjects {{ type id autoLinked }}
  annotations {{ id status }} relatedAnnotations {{ id }} relatedDocuments {{ id }}
  {COUNTS} }} }}"""

EMAILS = """query($filter: EmailFilter) { emails(filter: $filter, first: 100) {
  totalCount edges { node { id } } } }"""

THREAD = f"""query($id: ID!) {{ emailThread(id: $id) {{
  id hasReplies hasNewReplies labels rootEmail {{ id }} {COUNTS}
  emails(first: 100) {{ totalCount edges {{ node {{ id }} }} }} }} }}"""


async def task_state(actor: Any, task_id: str) -> dict[str, Any]:
    return (await actor.data(TASK, {"id": task_id}))["task"]


async def email_state(actor: Any, email: Email | int) -> dict[str, Any] | None:
    pk = email if isinstance(email, int) else email.id
    return (await actor.data(EMAIL, {"id": gid("Email", pk)}))["email"]


async def thread_state(actor: Any, thread_id: int | None) -> dict[str, Any] | None:
    return (await actor.data(THREAD, {"id": tgid(thread_id)}))["emailThread"]


async def matching(actor: Any, filter_: dict[str, Any]) -> set[int]:
    """The ids of the emails the filter returns (and totalCount agrees)."""
    data = (await actor.data(EMAILS, {"filter": filter_}))["emails"]
    found = {pk_of(edge["node"]["id"]) for edge in data["edges"]}
    assert data["totalCount"] == len(found) == len(data["edges"]), data
    return found


async def dismiss(actor: Any, email: Email, **options: Any) -> dict[str, Any]:
    return await mutate(actor, DISMISS, {"input": {"id": gid_of(email), **options}})


async def attach(actor: Any, email: Email, **plan: Any) -> dict[str, Any]:
    return await mutate(actor, ATTACH, {"input": {"id": gid_of(email), **plan}})


async def annotation_statuses(*annotations: Annotation) -> list[str]:
    rows = {
        a.id: a.status.value
        for a in await Annotation.filter(id__in=[a.id for a in annotations])
    }
    return [rows[a.id] for a in annotations]


async def org_snapshot(organization_id: int) -> dict[str, Any]:
    """Everything attach/merge/split/dismiss could touch, to prove nothing changed."""
    emails = (
        await Email.filter(organization_id=organization_id)
        .order_by("id")
        .values_list(
            "id",
            "email_thread_id",
            "parent_id",
            "thread_match_method",
            "thread_match_email_id",
            "status",
            "unread",
        )
    )
    email_ids = [e[0] for e in emails]
    return {
        "emails": emails,
        "threads": await EmailThread.filter(organization_id=organization_id)
        .order_by("id")
        .values_list("id", "root_email_id", "has_replies", "has_new_replies"),
        "annotations": await Annotation.filter(organization_id=organization_id)
        .order_by("id")
        .values_list("id", "status", "email_id", "email_thread_id"),
        "related_annotations": sorted(
            await EmailRelatedAnnotation.filter(email_id__in=email_ids).values_list(
                "email_id", "annotation_id"
            )
        ),
        "related_documents": sorted(
            await EmailRelatedDocument.filter(email_id__in=email_ids).values_list(
                "email_id", "document_id"
            )
        ),
        "links": sorted(
            await EmailLinkedObject.filter(email_id__in=email_ids).values_list(
                "email_id", "type", "object_id", "auto_linked"
            )
        ),
        "labels": sorted(
            await EmailLabel.filter(email_id__in=email_ids).values_list(
                "email_id", "label"
            )
        ),
        "tasks": await Task.filter(organization_id=organization_id).count(),
    }


# ---------------------------------------------------------- annotation counts recount

PROCESSED = {"CONFIRMED", "EXPORTING", "EXPORTED"}


def tally(statuses: list[str], related: int) -> dict[str, int]:
    """The counts as the design defines them, from plain status strings."""
    counted = [s for s in statuses if s != "DELETED"]
    processed = sum(s in PROCESSED for s in counted)
    purged = counted.count("PURGED")
    rejected = counted.count("REJECTED")
    return {
        "annotations": len(counted),
        "annotationsProcessed": processed,
        "annotationsPurged": purged,
        "annotationsUnprocessed": len(counted) - processed - purged - rejected,
        "annotationsRejected": rejected,
        "relatedAnnotations": related,
    }


async def assert_counts_match_rows(actor: Any) -> None:
    """annotationCounts of every email and thread of the organization, read through
    GraphQL, equal a recount of the Annotation and related rows."""
    org = actor.organization_id
    emails = await Email.filter(organization_id=org).values_list(
        "id", "email_thread_id"
    )
    annotations = await Annotation.filter(organization_id=org).values_list(
        "id", "status", "email_id", "email_thread_id"
    )
    related = await EmailRelatedAnnotation.filter(
        email__organization_id=org
    ).values_list("email_id", "annotation_id")
    thread_of = dict(emails)
    # an annotation that arrived with an email is in that email's thread
    for _, _, email_id, thread_id in annotations:
        if email_id is not None:
            assert thread_id == thread_of[email_id], annotations
    for email_id, _ in emails:
        want = tally(
            [s for _, s, e, _ in annotations if e == email_id],
            len({a for e, a in related if e == email_id}),
        )
        got = (await email_state(actor, email_id))["annotationCounts"]
        assert got == want, (email_id, got, want)
    for thread_id in await EmailThread.filter(organization_id=org).values_list(
        "id", flat=True
    ):
        members = {e for e, t in emails if t == thread_id}
        want = tally(
            [s for _, s, _, t in annotations if t == thread_id],
            len({a for e, a in related if e in members}),
        )
        got = (await thread_state(actor, thread_id))["annotationCounts"]
        assert got == want, (thread_id, got, want)


# ======================================================================== permissions

MERGE = f"""mutation($target: ID!, $sources: [ID!]!) {{
  mergeThreads(input: {{target: $target, sources: $sources}}) {{
    __typename ... on EmailThread {{ id emails(first: 100) {{ totalCount }} }}
    {ERROR} }} }}"""

SPLIT = f"""mutation($email: ID!) {{ splitThread(input: {{email: $email}}) {{
  __typename ... on EmailThread {{ id rootEmail {{ id }} emails(first: 100) {{
    totalCount edges {{ node {{ id }} }} }} }} {ERROR} }} }}"""

MARK_READ = f"""mutation($id: ID!) {{ markThreadRead(input: {{id: $id}}) {{
  __typename ... on EmailThread {{ id hasNewReplies }} {ERROR} }} }}"""
