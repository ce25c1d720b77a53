"""Triage through GraphQL: dismissEmail, attachEmail, updateEmail status/unread,
cancelTask, the emails filters and annotationCounts as states change.

Every test posts real GraphQL documents over HTTP, runs the jobs with a real arq
burst worker, delivers through a real SMTP server (aiosmtpd) and reads the stored
rows back with the ORM. Nothing is mocked. The thread operations (merge, split,
mark read, moves by attachEmail) are in test_threads_manual.py, which reuses the
helpers here.
"""

import base64
import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import pytest
from strawberry.relay import GlobalID

from app.accounts.models import Role
from app.core import ids
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes import service as inboxes
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, EmailType, Label, ThreadMatchMethod
from app.mail.relations import (
    EmailLabel,
    EmailLinkedObject,
    EmailRelatedAnnotation,
    EmailRelatedDocument,
)
from app.mail.service import NewEmail, record_email
from app.outbox.jobs import send_email_job
from app.tasks.models import Task, TaskKind, TaskStatus
from app.templates.models import EmailTemplate
from app.triage.dismissal import dismiss_email_job

ERROR = "... on InputError { code field message }"
SENDER = "bob@vendor.test"

# --------------------------------------------------------------------------- helpers


def gid(type_name: str, pk: object) -> str:
    return ids.encode(type_name, pk)


def pk_of(global_id: str) -> int:
    return int(GlobalID.from_id(global_id).node_id)


def egid(email: Email) -> str:
    return gid("Email", email.id)


def tgid(thread_id: int | None) -> str:
    return gid("EmailThread", thread_id)


async def mutate(
    actor: Any, document: str, variables: dict[str, Any] | None = None
) -> dict:
    """Post a one-mutation document that must not raise; return its result object."""
    data = await actor.data(document, variables)
    [result] = data.values()
    return result


def assert_input_error(result: dict, code: str, field: str | None) -> None:
    assert result["__typename"] == "InputError", result
    assert (result["code"], result["field"]) == (code, field), result
    assert result["message"]


def assert_forbidden(body: dict) -> None:
    assert body["data"] is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"], (
        body
    )


_clock = itertools.count(1)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def tick() -> datetime:
    """Strictly increasing creation times: thread roots and orders are deterministic."""
    return T0 + timedelta(minutes=next(_clock))


@dataclass
class World:
    """One organization's queue and inbox, and a factory for its rows."""

    organization_id: int
    queue: Queue
    inbox: Inbox

    async def email(
        self,
        subject: str = "Invoice 7",
        *,
        thread_of: Email | None = None,
        parent: Email | None = None,
        matched: Email | None = None,
        type: EmailType = EmailType.INCOMING,
        sender: str = SENDER,
        message_id: str | None = None,
        labels: tuple[Label, ...] = (),
        **extra: Any,
    ) -> Email:
        """An email in a new thread, or in `thread_of`'s thread as a reply to
        `parent` (IN_REPLY_TO) or matched through `matched` (SUBJECT_PARTICIPANTS)."""
        thread = None
        method = ThreadMatchMethod.NEW_THREAD
        if thread_of is not None:
            thread = await EmailThread.get(
                id=(await Email.get(id=thread_of.id)).email_thread_id
            )
        if parent is not None:
            extra.update(parent_id=parent.id, thread_match_email_id=parent.id)
            method = ThreadMatchMethod.IN_REPLY_TO
        if matched is not None:
            extra.update(thread_match_email_id=matched.id)
            method = ThreadMatchMethod.SUBJECT_PARTICIPANTS
        incoming = type is EmailType.INCOMING
        return await record_email(
            NewEmail(
                organization_id=self.organization_id,
                queue_id=self.queue.id,
                type=type,
                subject=subject,
                from_address=sender if incoming else self.inbox.email,
                from_name="Bob Vendor" if incoming else "",
                to=[{"email": self.inbox.email if incoming else sender, "name": ""}],
                labels=list(labels),
                created_at=tick(),
                extra={
                    "inbox_id": self.inbox.id,
                    "message_id": message_id or f"<{uuid.uuid4().hex}@vendor.test>",
                    **extra,
                },
            ),
            thread=thread,
            match_method=method,
        )

    async def annotation(
        self,
        email: Email | None,
        status: AnnotationStatus = AnnotationStatus.TO_REVIEW,
        *,
        thread_id: int | None | bool = True,
        queue: Queue | None = None,
    ) -> Annotation:
        """A document and its annotation; arrived with `email` (in its thread) unless
        email is None. thread_id=None makes it thread-less."""
        if email is not None:
            email = await Email.get(id=email.id)
        document = await Document.create(
            organization_id=self.organization_id,
            email_id=email.id if email else None,
            original_file_name=f"doc-{uuid.uuid4().hex[:6]}.pdf",
            mime_type="application/pdf",
        )
        if thread_id is True:
            thread_id = email.email_thread_id if email else None
        return await Annotation.create(
            organization_id=self.organization_id,
            queue_id=(queue or self.queue).id,
            document=document,
            email_id=email.id if email else None,
            email_thread_id=thread_id,
            status=status,
        )


async def make_world(actor: Any, address: str | None = None) -> World:
    queue = await inboxes.create_queue(
        organization_id=actor.organization_id, name="Invoices"
    )
    inbox = await inboxes.create_inbox(
        organization_id=actor.organization_id,
        queue_id=queue.id,
        email=address or f"in-{uuid.uuid4().hex[:8]}@acme.test",
        name="Acme Invoices",
    )
    return World(actor.organization_id, queue, inbox)


@pytest.fixture
async def world(admin) -> World:
    return await make_world(admin, "in@acme.test")


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
CANCEL_TASK = f"""mutation($id: ID!) {{ cancelTask(id: $id) {{
  __typename ... on Task {{ id status finishedAt }} {ERROR} }} }}"""
CREATE_TEMPLATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ id type stats {{ timesUsed lastUsedAt }} }}
    {ERROR} }} }}"""
TEMPLATE = """query($id: ID!) { node(id: $id) { ... on EmailTemplate {
  id stats { timesUsed lastUsedAt } } } }"""
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
    return await mutate(actor, DISMISS, {"input": {"id": egid(email), **options}})


async def attach(actor: Any, email: Email, **plan: Any) -> dict[str, Any]:
    return await mutate(actor, ATTACH, {"input": {"id": egid(email), **plan}})


async def annotation_statuses(*annotations: Annotation) -> list[str]:
    rows = {
        a.id: a.status.value
        for a in await Annotation.filter(id__in=[a.id for a in annotations])
    }
    return [rows[a.id] for a in annotations]


async def email_labels(email: Email) -> set[str]:
    return set(
        await EmailLabel.filter(email_id=email.id).values_list("label", flat=True)
    )


def received_messages(sink: Any) -> list[EmailMessage]:
    return [message_from_bytes(m.data, policy=policy.default) for m in sink.received]


def body_text(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, message
    return part.get_content()


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


# ============================================================================ dismiss


async def rejection_template(actor: Any, **fields: Any) -> str:
    result = await mutate(
        actor,
        CREATE_TEMPLATE,
        {
            "input": {
                "name": "Rejection",
                "type": "REJECTION",
                "subject": "Rejected: {{ parent_email_subject }}",
                "message": "<p>Dear {{ sender_email }}, "
                "we rejected your message: {{ reason }}</p>",
                **fields,
            }
        },
    )
    assert result["__typename"] == "EmailTemplate", result
    assert result["stats"]["timesUsed"] == 0
    return result["id"]


async def test_dismiss_with_both_options_rejects_labels_and_sends_one_rejection(
    admin, world, smtp_sink, run_jobs
):
    # given an incoming email with annotations in every status, and a REJECTION template
    email = await world.email("Invoice 7", message_id="<inv7@vendor.test>")
    notes = {s: await world.annotation(email, s) for s in AnnotationStatus}
    template_id = await rejection_template(admin)
    annotator = await admin.add_user(Role.ANNOTATOR)

    # when an annotator dismisses it with rejectAnnotations and notifySender
    result = await dismiss(
        annotator,
        email,
        rejectAnnotations=True,
        notifySender=True,
        reason="the PO number is missing",
    )
    assert result["__typename"] == "Task", result
    assert (result["kind"], result["status"]) == ("DISMISS_EMAIL", "QUEUED")
    await run_jobs()

    # then the task succeeded; the email is DISMISSED by the annotator, label REJECTED
    task = await task_state(admin, result["id"])
    assert (task["status"], task["error"], task["email"]) == (
        "SUCCEEDED",
        None,
        {"id": egid(email)},
    )
    data = await email_state(admin, email)
    assert data["status"] == "DISMISSED"
    assert data["dismissedAt"] is not None
    assert data["dismissedBy"] == {"id": gid("User", annotator.user_id)}
    assert data["labels"] == ["REJECTED"]
    # its annotations are REJECTED, except finished ones (DELETED, PURGED, EXPORTED)
    kept = {
        AnnotationStatus.DELETED,
        AnnotationStatus.PURGED,
        AnnotationStatus.EXPORTED,
    }
    for status, note in notes.items():
        want = status.value if status in kept else "REJECTED"
        assert (await annotation_statuses(note)) == [want], status
    assert data["annotationCounts"] == tally(
        [s.value if s in kept else "REJECTED" for s in AnnotationStatus], 0
    )

    # and exactly one REJECTION email went to the sender through the SMTP server
    assert len(smtp_sink.received) == 1
    [envelope] = smtp_sink.received
    [message] = received_messages(smtp_sink)
    assert envelope.recipients == [SENDER]
    assert envelope.sender == world.inbox.email
    assert message["Subject"] == "Rejected: Invoice 7"
    assert message["In-Reply-To"] == "<inv7@vendor.test>"
    assert "<inv7@vendor.test>" in message["References"]
    html = body_text(message, "html")
    assert f"Dear {SENDER}" in html and "the PO number is missing" in html
    assert "the PO number is missing" in body_text(message, "plain")

    # and it is in the email's thread, a reply to it, labelled REJECTION, SENT
    thread = await thread_state(admin, email.email_thread_id)
    assert thread["emails"]["totalCount"] == 2
    assert set(thread["labels"]) == {"REJECTED", "REJECTION"}
    [notice] = await Email.filter(
        organization_id=admin.organization_id, type=EmailType.OUTGOING
    )
    notice_data = await email_state(admin, notice)
    assert notice_data["emailThread"] == {"id": tgid(email.email_thread_id)}
    assert notice_data["parent"] == {"id": egid(email)}
    assert notice_data["labels"] == ["REJECTION"]
    assert notice_data["deliveryStatus"] == "SENT"
    assert notice_data["to"] == [{"email": SENDER}]
    assert notice_data["subject"] == "Rejected: Invoice 7"

    # and the template's use was counted once
    stats = (await admin.data(TEMPLATE, {"id": template_id}))["node"]["stats"]
    assert stats["timesUsed"] == 1 and stats["lastUsedAt"] is not None
    await assert_counts_match_rows(admin)


async def test_dismiss_job_run_twice_and_a_second_dismiss_change_nothing(
    admin, world, smtp_sink, run_jobs
):
    # given an email dismissed with both options, its notice delivered
    email = await world.email("Invoice 8")
    notes = [await world.annotation(email) for _ in range(2)]
    template_id = await rejection_template(admin)
    first = await dismiss(
        admin, email, rejectAnnotations=True, notifySender=True, reason="dup"
    )
    await run_jobs()
    before = await email_state(admin, email)
    assert before["status"] == "DISMISSED" and len(smtp_sink.received) == 1
    # ...and one annotation someone re-opened after the dismissal
    await mutate(
        admin,
        UPDATE_ANNOTATION,
        {"id": gid("Annotation", notes[1].id), "status": "TO_REVIEW"},
    )

    # when the same dismiss job runs again (task row back to QUEUED, as after a crash)
    task_id = uuid.UUID(str(GlobalID.from_id(first["id"]).node_id))
    await Task.filter(id=task_id).update(status=TaskStatus.QUEUED)
    assert await dismiss_email_job({}, str(task_id)) == "unchanged"
    # and the notice's send job runs again too
    [send_task] = await Task.filter(kind=TaskKind.SEND_EMAIL)
    await Task.filter(id=send_task.id).update(status=TaskStatus.QUEUED)
    assert await send_email_job({}, str(send_task.id)) == "already sent"
    # and someone else dismisses it again through the API, with other options
    manager = await admin.add_user(Role.MANAGER)
    second = await dismiss(
        manager, email, rejectAnnotations=True, notifySender=True, reason="again"
    )
    assert second["__typename"] == "Task", second
    await run_jobs()

    # then both tasks succeeded, but nothing changed and nothing more was sent
    assert (await task_state(admin, first["id"]))["status"] == "SUCCEEDED"
    assert (await task_state(admin, second["id"]))["status"] == "SUCCEEDED"
    after = await email_state(admin, email)
    assert after["dismissedAt"] == before["dismissedAt"]
    assert after["dismissedBy"] == {"id": gid("User", admin.user_id)}
    assert after["labels"] == ["REJECTED"]
    assert await annotation_statuses(*notes) == ["REJECTED", "TO_REVIEW"]
    assert len(smtp_sink.received) == 1
    assert (
        await Email.filter(
            organization_id=admin.organization_id, type=EmailType.OUTGOING
        ).count()
        == 1
    )
    assert await Task.filter(kind=TaskKind.SEND_EMAIL).count() == 1
    stats = (await admin.data(TEMPLATE, {"id": template_id}))["node"]["stats"]
    assert stats["timesUsed"] == 1
    await assert_counts_match_rows(admin)


async def test_two_dismisses_in_one_worker_run_send_one_notice(
    admin, world, smtp_sink, run_jobs
):
    # given an email and two dismisses queued before any worker runs
    email = await world.email("Invoice 9")
    note = await world.annotation(email)
    tasks = [
        await dismiss(admin, email, rejectAnnotations=True, notifySender=True)
        for _ in range(2)
    ]
    assert all(t["__typename"] == "Task" for t in tasks)

    # when one worker runs them (concurrently: max_jobs > 1)
    await run_jobs()

    # then both succeed, one changed the email and one REJECTION email was received
    assert [(await task_state(admin, t["id"]))["status"] for t in tasks] == [
        "SUCCEEDED"
    ] * 2
    assert (await email_state(admin, email))["status"] == "DISMISSED"
    assert await annotation_statuses(note) == ["REJECTED"]
    assert len(smtp_sink.received) == 1
    assert await EmailLabel.filter(email_id=email.id, label=Label.REJECTED).count() == 1


async def test_without_a_template_the_default_notice_is_sent_with_the_reason_escaped(
    admin, world, make_org, smtp_sink, run_jobs
):
    # given no REJECTION template in this organization (another organization has one,
    # and this one has only a CUSTOM template)
    other = await make_org("Other")
    await rejection_template(other, subject="FOREIGN", message="<p>FOREIGN</p>")
    custom = await mutate(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "Custom", "subject": "CUSTOM", "message": "<p>CUSTOM</p>"}},
    )
    assert custom["type"] == "CUSTOM"
    email = await world.email("Order 12")

    # when it is dismissed with notifySender and a reason with markup and a line break
    result = await dismiss(
        admin,
        email,
        notifySender=True,
        reason="<b>unsigned</b> & late\r\nBcc: eve@evil.test",
    )
    assert result["__typename"] == "Task", result
    await run_jobs()

    # then the built-in notice went to the sender alone, the reason escaped, the
    # subject a reply subject; the other templates were not used
    [envelope] = smtp_sink.received
    [message] = received_messages(smtp_sink)
    assert envelope.recipients == [SENDER]
    assert message["Subject"] == "Re: Order 12"
    assert message["Bcc"] is None
    html = body_text(message, "html")
    assert "&lt;b&gt;unsigned&lt;/b&gt; &amp; late" in html
    assert "<b>" not in html
    assert "FOREIGN" not in html and "CUSTOM" not in html
    # and nothing was rejected (rejectAnnotations was not asked for)
    assert await email_labels(email) == set()
    assert await EmailTemplate.filter(times_used__gt=0).count() == 0


async def test_dismiss_without_options_only_changes_the_status(
    admin, world, smtp_sink, run_jobs
):
    # given an email with an annotation
    email = await world.email()
    note = await world.annotation(email)

    # when it is dismissed with no options
    result = await dismiss(admin, email)
    await run_jobs()

    # then it is DISMISSED, nothing else changed, nothing was sent
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    data = await email_state(admin, email)
    assert (data["status"], data["labels"]) == ("DISMISSED", [])
    assert await annotation_statuses(note) == ["TO_REVIEW"]
    assert smtp_sink.received == []
    assert await Email.filter(organization_id=admin.organization_id).count() == 1


async def test_dismissing_a_resolved_email_dismisses_it(admin, world, run_jobs):
    # given a RESOLVED email
    email = await world.email()
    resolved = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "status": "RESOLVED"}}
    )
    assert resolved["status"] == "RESOLVED"

    # when it is dismissed with rejectAnnotations
    note = await world.annotation(email, AnnotationStatus.CONFIRMED)
    await dismiss(admin, email, rejectAnnotations=True)
    await run_jobs()

    # then it is DISMISSED, its annotation REJECTED
    data = await email_state(admin, email)
    assert (data["status"], data["labels"]) == ("DISMISSED", ["REJECTED"])
    assert data["dismissedAt"] is not None
    assert await annotation_statuses(note) == ["REJECTED"]


@pytest.mark.parametrize("status", ["UNRESOLVED", "RESOLVED"])
async def test_update_email_status_clears_the_dismissal(admin, world, run_jobs, status):
    # given a dismissed email
    email = await world.email()
    await dismiss(admin, email, rejectAnnotations=True)
    await run_jobs()
    assert (await email_state(admin, email))["status"] == "DISMISSED"

    # when its status is set through updateEmail
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "status": status}}
    )

    # then the dismissal is gone (the REJECTED label stays: it records what happened)
    assert result["__typename"] == "Email", result
    assert (result["status"], result["dismissedAt"], result["dismissedBy"]) == (
        status,
        None,
        None,
    )
    row = await Email.get(id=email.id)
    assert (row.status.value, row.dismissed_at, row.dismissed_by_id) == (
        status,
        None,
        None,
    )
    assert result["labels"] == ["REJECTED"]
    assert await matching(admin, {"status": ["DISMISSED"]}) == set()


async def test_an_email_unresolved_after_a_dismissal_can_be_dismissed_again(
    admin, world, smtp_sink, run_jobs
):
    # given an email dismissed (with a notice), then set back to UNRESOLVED
    email = await world.email()
    await dismiss(admin, email, notifySender=True)
    await run_jobs()
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "status": "UNRESOLVED"}}
    )

    # when it is dismissed again by another user
    annotator = await admin.add_user(Role.ANNOTATOR)
    await dismiss(annotator, email, notifySender=True)
    await run_jobs()

    # then it is a new dismissal: DISMISSED by that user, and a second notice was sent
    data = await email_state(admin, email)
    assert data["status"] == "DISMISSED"
    assert data["dismissedBy"] == {"id": gid("User", annotator.user_id)}
    assert len(smtp_sink.received) == 2


async def test_update_email_refuses_to_dismiss_and_sets_unread(admin, world):
    email = await world.email()
    # when updateEmail asks for DISMISSED
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "status": "DISMISSED"}}
    )
    # then it is an InputError on status and the email is unchanged
    assert_input_error(result, "BAD_REQUEST", "status")
    assert (await Email.get(id=email.id)).status.value == "UNRESOLVED"
    # and unread is set both ways, and the unread filter follows
    assert await matching(admin, {"unread": True}) == {email.id}
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "unread": False}}
    )
    assert (result["unread"], result["status"]) == (False, "UNRESOLVED")
    assert await matching(admin, {"unread": True}) == set()
    assert await matching(admin, {"unread": False}) == {email.id}
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(email), "unread": True}}
    )
    assert result["unread"] is True


async def test_notify_sender_of_an_outgoing_email_is_an_input_error(admin, world):
    # given an outgoing email
    outgoing = await world.email("Our answer", type=EmailType.OUTGOING)
    before = await org_snapshot(admin.organization_id)

    # when it is dismissed with notifySender
    result = await dismiss(admin, outgoing, notifySender=True)

    # then InputError on notifySender; no task, nothing changed
    assert_input_error(result, "BAD_REQUEST", "notifySender")
    assert await org_snapshot(admin.organization_id) == before


async def test_dismiss_input_errors(admin, world, make_org):
    email = await world.email()
    other = await make_org("Other")
    foreign = await (await make_world(other)).email()
    before = await org_snapshot(admin.organization_id)
    # another organization's email, a forged id, an id of another type: NOT_FOUND
    for value in (egid(foreign), "garbage", gid("EmailThread", email.email_thread_id)):
        result = await mutate(admin, DISMISS, {"input": {"id": value}})
        assert_input_error(result, "NOT_FOUND", "id")
    # a reason over 2000 characters
    result = await dismiss(admin, email, reason="x" * 2001)
    assert_input_error(result, "BAD_REQUEST", "reason")
    assert await org_snapshot(admin.organization_id) == before
    assert (await Email.get(id=foreign.id)).status.value == "UNRESOLVED"


async def test_a_rejection_template_that_does_not_render_fails_the_task(
    admin, world, smtp_sink, run_jobs
):
    """The REJECTION template is rendered inside the dismiss job; a template that
    compiles but fails when rendered must fail the task, not leave it RUNNING."""
    # given a REJECTION template stored before today's template rules (the API
    # refuses it now; see test_a_template_that_does_not_compile...)
    await EmailTemplate.create(
        organization_id=admin.organization_id,
        name="Old",
        type="REJECTION",
        message="<p>{{ 1 / 0 }}</p>",
    )
    email = await world.email()

    # when the email is dismissed with notifySender
    result = await dismiss(admin, email, notifySender=True, rejectAnnotations=True)
    await run_jobs()

    # then the task ends FAILED with an error naming the problem, nothing half-done
    task = await task_state(admin, result["id"])
    assert task["status"] == "FAILED", task
    assert task["error"]["code"] == "BAD_REQUEST" and task["error"]["message"]
    assert (await Email.get(id=email.id)).status.value == "UNRESOLVED"
    assert smtp_sink.received == []


async def test_a_template_that_does_not_compile_is_refused_when_saved(admin):
    # when a REJECTION template with a syntax error is created
    body = await admin.gql(
        "mutation($input: CreateEmailTemplateInput!) {"
        " createEmailTemplate(input: $input)"
        " { __typename ... on InputError { code field } } }",
        {
            "input": {
                "name": "Broken",
                "type": "REJECTION",
                "message": "<p>{{ reason </p>",
            }
        },
    )
    # then it is an InputError on the message and no template exists
    assert body["data"]["createEmailTemplate"] == {
        "__typename": "InputError",
        "code": "BAD_REQUEST",
        "field": "message",
    }
    assert (
        await EmailTemplate.filter(organization_id=admin.organization_id).count() == 0
    )


async def test_cancel_a_queued_dismiss_task(admin, world, smtp_sink, run_jobs):
    # given a dismiss queued and not yet run
    email = await world.email()
    note = await world.annotation(email)
    result = await dismiss(admin, email, rejectAnnotations=True, notifySender=True)
    before = await org_snapshot(admin.organization_id)

    # when the task is cancelled before any worker runs
    cancelled = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert cancelled["__typename"] == "Task", cancelled
    assert cancelled["status"] == "CANCELLED" and cancelled["finishedAt"]
    # (cancelling it again answers the same)
    again = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert again["status"] == "CANCELLED"

    # then running the worker changes nothing and sends nothing
    await run_jobs()
    assert (await task_state(admin, result["id"]))["status"] == "CANCELLED"
    assert await org_snapshot(admin.organization_id) == before
    assert await annotation_statuses(note) == ["TO_REVIEW"]
    assert smtp_sink.received == []


async def test_cancel_a_finished_dismiss_task_is_a_conflict(
    admin, world, make_org, run_jobs
):
    email = await world.email()
    result = await dismiss(admin, email)
    await run_jobs()
    # a SUCCEEDED task cannot be cancelled
    cancelled = await mutate(admin, CANCEL_TASK, {"id": result["id"]})
    assert_input_error(cancelled, "CONFLICT", "id")
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    # and another organization cannot even see a queued one
    queued = await dismiss(admin, await world.email())
    other = await make_org("Other")
    assert_input_error(
        await mutate(other, CANCEL_TASK, {"id": queued["id"]}), "NOT_FOUND", "id"
    )
    assert (await task_state(admin, queued["id"]))["status"] == "QUEUED"


# ============================================================================= attach


async def test_attach_relates_annotations_and_documents_and_links_an_object(
    admin, world, run_jobs
):
    # given an email, an annotation with no thread, an annotation in another thread,
    # and a document of another email
    email = await world.email("Invoice 7")
    elsewhere = await world.email("Other matter")
    loose = await world.annotation(None, thread_id=None)
    placed = await world.annotation(elsewhere)
    document = await Document.get(id=placed.document_id)

    # when they are attached with a linked object
    plan = {
        "annotations": [gid("Annotation", loose.id), gid("Annotation", placed.id)],
        "documents": [gid("Document", document.id)],
        "linkedObject": {"type": " ticket ", "id": " T-1 "},
    }
    result = await attach(admin, email, **plan)
    assert result["__typename"] == "Task", result
    assert result["kind"] == "ATTACH_EMAIL"
    await run_jobs()

    # then the task succeeded and the email shows them
    task = await task_state(admin, result["id"])
    assert (task["status"], task["email"]) == ("SUCCEEDED", {"id": egid(email)})
    data = await email_state(admin, email)
    assert {a["id"] for a in data["relatedAnnotations"]} == set(plan["annotations"])
    assert [d["id"] for d in data["relatedDocuments"]] == plan["documents"]
    assert data["linkedObjects"] == [
        {"type": "ticket", "id": "T-1", "autoLinked": False}
    ]
    assert data["annotationCounts"]["relatedAnnotations"] == 2
    assert data["emailThread"] == {"id": tgid(email.email_thread_id)}
    # the thread-less annotation joined the email's thread; the other kept its own
    loose, placed = (
        await Annotation.get(id=loose.id),
        await Annotation.get(id=placed.id),
    )
    assert loose.email_thread_id == email.email_thread_id
    assert placed.email_thread_id == elsewhere.email_thread_id
    await assert_counts_match_rows(admin)

    # when the same attach is asked again, and its job is re-run after a reset
    again = await attach(admin, email, **plan)
    await run_jobs()
    task_id = str(GlobalID.from_id(result["id"]).node_id)
    await Task.filter(id=uuid.UUID(task_id)).update(status=TaskStatus.QUEUED)
    from app.triage.attaching import attach_email_job

    assert await attach_email_job({}, task_id) == "attached"

    # then nothing was added twice
    assert (await task_state(admin, again["id"]))["status"] == "SUCCEEDED"
    assert await EmailRelatedAnnotation.filter(email_id=email.id).count() == 2
    assert await EmailRelatedDocument.filter(email_id=email.id).count() == 1
    assert await EmailLinkedObject.filter(email_id=email.id).count() == 1
    await assert_counts_match_rows(admin)


async def test_attach_the_same_ids_twice_in_one_plan_relates_them_once(
    admin, world, run_jobs
):
    email = await world.email()
    note = await world.annotation(None, thread_id=None)
    twice = [gid("Annotation", note.id)] * 2
    result = await attach(
        admin,
        email,
        annotations=twice,
        documents=[gid("Document", note.document_id)] * 2,
    )
    assert result["__typename"] == "Task", result
    await run_jobs()
    assert (await task_state(admin, result["id"]))["status"] == "SUCCEEDED"
    assert await EmailRelatedAnnotation.filter(email_id=email.id).count() == 1
    assert await EmailRelatedDocument.filter(email_id=email.id).count() == 1


async def test_attach_a_second_linked_object_keeps_the_first(admin, world, run_jobs):
    email = await world.email()
    for kind, object_id in (("ticket", "T-1"), ("ticket", "T-2"), ("deal", "T-1")):
        await attach(admin, email, linkedObject={"type": kind, "id": object_id})
    await run_jobs()
    data = await email_state(admin, email)
    assert sorted(
        (o["type"], o["id"], o["autoLinked"]) for o in data["linkedObjects"]
    ) == [("deal", "T-1", False), ("ticket", "T-1", False), ("ticket", "T-2", False)]


async def test_attach_to_a_thread_of_another_queue_is_an_input_error(admin, world):
    # given an email and a thread in another queue of the same organization
    email = await world.email()
    other = await make_world(admin)
    foreign_thread = await other.email("Elsewhere")
    before = await org_snapshot(admin.organization_id)

    # when the email is attached to that thread
    result = await attach(admin, email, thread=tgid(foreign_thread.email_thread_id))

    # then InputError on thread; no task; nothing moved
    assert_input_error(result, "BAD_REQUEST", "thread")
    assert await org_snapshot(admin.organization_id) == before


@pytest.mark.parametrize("argument", ["id", "annotations", "documents", "thread"])
async def test_attach_with_another_organizations_id_is_not_found(
    admin, world, make_org, run_jobs, argument
):
    # given our email, thread, annotation and document, and another organization's
    email = await world.email("Ours")
    target = await world.email("Our other thread")
    note = await world.annotation(None, thread_id=None)
    other = await make_org("Other")
    theirs = await make_world(other)
    their_email = await theirs.email("Theirs")
    their_note = await theirs.annotation(their_email)
    ours = {
        "id": egid(email),
        "annotations": [gid("Annotation", note.id)],
        "documents": [gid("Document", note.document_id)],
        "thread": tgid(target.email_thread_id),
        "linkedObject": {"type": "ticket", "id": "T-9"},
    }
    foreign = {
        "id": egid(their_email),
        "annotations": [gid("Annotation", their_note.id)],
        "documents": [gid("Document", their_note.document_id)],
        "thread": tgid(their_email.email_thread_id),
    }
    before = (
        await org_snapshot(admin.organization_id),
        await org_snapshot(other.organization_id),
    )

    # when one argument names the other organization's row (the rest are ours)
    plan = {**ours, argument: foreign[argument]}
    result = await mutate(admin, ATTACH, {"input": plan})
    await run_jobs()

    # then NOT_FOUND on that argument, and nothing changed in either organization
    assert_input_error(result, "NOT_FOUND", argument)
    assert (
        await org_snapshot(admin.organization_id),
        await org_snapshot(other.organization_id),
    ) == before


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({}, "id"),
        ({"linkedObject": {"type": "  ", "id": "T-1"}}, "linkedObject"),
        ({"linkedObject": {"type": "ticket", "id": ""}}, "linkedObject"),
        ({"linkedObject": {"type": "t" * 101, "id": "T-1"}}, "linkedObject"),
        ({"linkedObject": {"type": "ticket", "id": "9" * 201}}, "linkedObject"),
        ({"annotations": ["not-an-id"]}, "annotations"),
        ({"documents": [gid("Annotation", 1)]}, "documents"),
        ({"thread": gid("Email", 1)}, "thread"),
    ],
    ids=[
        "nothing",
        "blank-type",
        "empty-id",
        "long-type",
        "long-id",
        "bad-annotation",
        "wrong-type-document",
        "wrong-type-thread",
    ],
)
async def test_attach_input_errors(admin, world, plan, field):
    email = await world.email()
    before = await org_snapshot(admin.organization_id)
    result = await attach(admin, email, **plan)
    assert result["__typename"] == "InputError", result
    assert result["field"] == field, result
    assert await org_snapshot(admin.organization_id) == before


async def test_attach_fails_its_task_when_the_thread_is_gone_before_the_job(
    admin, world, run_jobs
):
    # given an attach to a thread queued, then the thread merged away before the job
    email = await world.email("Mover")
    target = await world.email("Target")
    keeper = await world.email("Keeper")
    result = await attach(admin, email, thread=tgid(target.email_thread_id))
    merged = await mutate(
        admin,
        MERGE,
        {
            "target": tgid(keeper.email_thread_id),
            "sources": [tgid(target.email_thread_id)],
        },
    )
    assert merged["__typename"] == "EmailThread", merged

    # when the worker runs
    await run_jobs()

    # then the task failed NOT_FOUND and the email did not move
    task = await task_state(admin, result["id"])
    assert (task["status"], task["error"]["code"]) == ("FAILED", "NOT_FOUND"), task
    assert (await Email.get(id=email.id)).email_thread_id == email.email_thread_id


# ======================================================================== permissions

MERGE = f"""mutation($target: ID!, $sources: [ID!]!) {{
  mergeThreads(input: {{target: $target, sources: $sources}}) {{
    __typename ... on EmailThread {{ id emails(first: 100) {{ totalCount }} }}
    {ERROR} }} }}"""
SPLIT = f"""mutation($email: ID!) {{ splitThread(input: {{email: $email}}) {{
  __typename ... on EmailThread {{ id rootEmail {{ id }} emails(first: 100) {{
    totalCount edges {{ node {{ id }} }} }} }} {ERROR} }} }}"""
MARK_READ = f"""mutation($id: ID!) {{ markThreadRead(id: $id) {{
  __typename ... on EmailThread {{ id hasNewReplies }} {ERROR} }} }}"""


async def test_a_viewer_cannot_dismiss_attach_merge_split_or_cancel(
    admin, world, run_jobs
):
    # given two threads, a queued task, and a VIEWER
    first = await world.email("First")
    reply = await world.email("Re: First", thread_of=first, parent=first)
    second = await world.email("Second")
    queued = await dismiss(admin, second)
    viewer = await admin.add_user(Role.VIEWER)
    before = await org_snapshot(admin.organization_id)

    # when the viewer tries each triage mutation
    calls = [
        (DISMISS, {"input": {"id": egid(first), "rejectAnnotations": True}}),
        (
            ATTACH,
            {"input": {"id": egid(first), "thread": tgid(second.email_thread_id)}},
        ),
        (
            MERGE,
            {
                "target": tgid(first.email_thread_id),
                "sources": [tgid(second.email_thread_id)],
            },
        ),
        (SPLIT, {"email": egid(reply)}),
        (CANCEL_TASK, {"id": queued["id"]}),
        (UPDATE_EMAIL, {"input": {"id": egid(first), "status": "RESOLVED"}}),
    ]
    # then each is ACCESS_FORBIDDEN and nothing changed
    for document, variables in calls:
        assert_forbidden(await viewer.gql(document, variables))
    assert await org_snapshot(admin.organization_id) == before
    # while reading the thread (markThreadRead) is allowed to a viewer
    result = await mutate(viewer, MARK_READ, {"id": tgid(first.email_thread_id)})
    assert result["__typename"] == "EmailThread", result
    # and an ANNOTATOR may triage
    annotator = await admin.add_user(Role.ANNOTATOR)
    assert (await dismiss(annotator, first))["__typename"] == "Task"
    assert (await attach(annotator, second, linkedObject={"type": "t", "id": "1"}))[
        "__typename"
    ] == "Task"
    await run_jobs()


# ============================================================================ filters


async def test_emails_filters_follow_the_triage_states(
    admin, world, make_org, smtp_sink, run_jobs
):
    # given emails in every triage state
    dismissed = await world.email("Dismissed and rejected")
    await world.annotation(dismissed)
    resolved = await world.email("Resolved")
    ticket1 = await world.email("Linked to T-1")
    ticket2 = await world.email("Linked to T-2")
    deal = await world.email("Linked to a deal")
    plain = await world.email("Untouched")
    await dismiss(admin, dismissed, rejectAnnotations=True, notifySender=True)
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(resolved), "status": "RESOLVED"}}
    )
    await attach(admin, ticket1, linkedObject={"type": "ticket", "id": "T-1"})
    await attach(admin, ticket2, linkedObject={"type": "ticket", "id": "T-2"})
    await attach(admin, deal, linkedObject={"type": "deal", "id": "T-1"})
    await attach(admin, resolved, linkedObject={"type": "ticket", "id": "T-1"})
    await run_jobs()
    [notice] = await Email.filter(
        organization_id=admin.organization_id, type=EmailType.OUTGOING
    )
    # and another organization with emails in the same states
    other = await make_org("Other")
    theirs = await make_world(other)
    their = await theirs.email("Theirs")
    await dismiss(other, their, rejectAnnotations=True)
    await attach(other, their, linkedObject={"type": "ticket", "id": "T-1"})
    await run_jobs()
    everyone = {
        dismissed.id,
        resolved.id,
        ticket1.id,
        ticket2.id,
        deal.id,
        plain.id,
        notice.id,
    }

    # then each filter returns exactly the right emails, never another organization's
    assert await matching(admin, {}) == everyone
    assert await matching(admin, {"status": ["DISMISSED"]}) == {dismissed.id}
    assert await matching(admin, {"status": ["RESOLVED"]}) == {resolved.id}
    assert await matching(admin, {"status": ["UNRESOLVED"]}) == everyone - {
        dismissed.id,
        resolved.id,
    }
    assert await matching(admin, {"status": ["RESOLVED", "DISMISSED"]}) == {
        dismissed.id,
        resolved.id,
    }
    assert await matching(admin, {"labels": ["REJECTED"]}) == {dismissed.id}
    assert await matching(admin, {"labels": ["REJECTION"]}) == {notice.id}
    assert await matching(admin, {"labels": ["REJECTED", "REJECTION"]}) == {
        dismissed.id,
        notice.id,
    }
    assert await matching(admin, {"labels": ["FORWARDED"]}) == set()
    assert await matching(admin, {"linkedObject": {"type": "ticket"}}) == {
        ticket1.id,
        ticket2.id,
        resolved.id,
    }
    assert await matching(admin, {"linkedObject": {"type": "ticket", "id": "T-1"}}) == {
        ticket1.id,
        resolved.id,
    }
    assert await matching(admin, {"linkedObject": {"type": "deal"}}) == {deal.id}
    assert (
        await matching(admin, {"linkedObject": {"type": "deal", "id": "T-2"}}) == set()
    )
    assert await matching(admin, {"linkedObject": {"type": "TICKET"}}) == set()
    # combined with AND
    assert await matching(
        admin, {"status": ["UNRESOLVED"], "linkedObject": {"type": "ticket"}}
    ) == {ticket1.id, ticket2.id}
    assert (
        await matching(admin, {"status": ["DISMISSED"], "labels": ["REJECTION"]})
        == set()
    )
    assert await matching(
        admin,
        {
            "type": "OUTGOING",
            "labels": ["REJECTION"],
            "thread": tgid(dismissed.email_thread_id),
        },
    ) == {notice.id}

    # when states change again (un-dismissed, and a link on another email)
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(dismissed), "status": "UNRESOLVED"}}
    )
    await attach(admin, plain, linkedObject={"type": "ticket", "id": "T-2"})
    await run_jobs()

    # then the filters follow
    assert await matching(admin, {"status": ["DISMISSED"]}) == set()
    assert await matching(admin, {"linkedObject": {"type": "ticket", "id": "T-2"}}) == {
        ticket2.id,
        plain.id,
    }
    assert await matching(other, {"linkedObject": {"type": "ticket", "id": "T-1"}}) == {
        their.id
    }
    assert await matching(other, {"status": ["DISMISSED"], "labels": ["REJECTED"]}) == {
        their.id
    }


# ============================================================== annotation counts


async def test_annotation_counts_match_a_recount_after_every_step(
    admin, world, smtp_sink, run_jobs
):
    # given two threads whose emails carry annotations in many statuses
    root = await world.email("Invoice 70")
    reply = await world.email("Re: Invoice 70", thread_of=root, parent=root)
    other = await world.email("Invoice 71")
    statuses = list(AnnotationStatus)
    notes = [await world.annotation(root, s) for s in statuses]
    notes += [await world.annotation(reply, s) for s in statuses[::2]]
    notes += [await world.annotation(other, s) for s in statuses[1::2]]
    loose = [await world.annotation(None, s, thread_id=None) for s in statuses[:4]]
    await assert_counts_match_rows(admin)

    # when an annotation is re-statused through the API
    for note, status in zip(notes[:3], ("CONFIRMED", "PURGED", "DELETED"), strict=True):
        updated = await mutate(
            admin,
            UPDATE_ANNOTATION,
            {"id": gid("Annotation", note.id), "status": status},
        )
        assert updated["status"] == status
    await assert_counts_match_rows(admin)

    # when the reply is dismissed with rejection (the notice joins the thread)
    await dismiss(admin, reply, rejectAnnotations=True, notifySender=True)
    await run_jobs()
    await assert_counts_match_rows(admin)

    # when annotations (some thread-less, one already related, one of another thread)
    # are attached to the root, twice
    related = [gid("Annotation", a.id) for a in (*loose, notes[-1], notes[0])]
    await attach(admin, root, annotations=related)
    await attach(admin, reply, annotations=related[:2])
    await run_jobs()
    await attach(admin, root, annotations=related)
    await run_jobs()
    await assert_counts_match_rows(admin)
    thread = await thread_state(admin, root.email_thread_id)
    assert thread["annotationCounts"]["relatedAnnotations"] == len(related)

    # when the other thread's email is moved into the first, and back out again
    await attach(admin, other, thread=tgid(root.email_thread_id))
    await run_jobs()
    await assert_counts_match_rows(admin)
    split = await mutate(admin, SPLIT, {"email": egid(other)})
    assert split["__typename"] == "EmailThread", split
    await assert_counts_match_rows(admin)

    # when the first thread is dismissed at the root and un-dismissed
    await dismiss(admin, root, rejectAnnotations=True)
    await run_jobs()
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": egid(root), "status": "UNRESOLVED"}}
    )
    await assert_counts_match_rows(admin)
    # and every status is represented on the root somewhere
    data = await email_state(admin, root)
    counts = data["annotationCounts"]
    assert counts["annotationsRejected"] > 0 and counts["annotationsProcessed"] > 0
    assert counts["annotationsPurged"] > 0
