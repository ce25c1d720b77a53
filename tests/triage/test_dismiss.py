"""dismissEmail: the status, the REJECTED label and the one rejection notice its
options ask for, however often it runs."""

import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from strawberry.relay import GlobalID

from app.accounts.models import Role
from app.documents.models import AnnotationStatus
from app.mail.models import Email, EmailType, Label
from app.mail.relations import EmailLabel
from app.outbox.jobs import send_email_job
from app.tasks.models import Task, TaskKind, TaskStatus
from app.templates.models import EmailTemplate
from app.triage.dismissal import dismiss_email_job
from tests.factories import SENDER
from tests.helpers import ERROR, gid, gid_of, mutate
from tests.triage.api import (
    UPDATE_ANNOTATION,
    UPDATE_EMAIL,
    annotation_statuses,
    assert_counts_match_rows,
    dismiss,
    email_state,
    tally,
    task_state,
    tgid,
    thread_state,
)

CREATE_TEMPLATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ id type stats {{ timesUsed lastUsedAt }} }}
    {ERROR} }} }}"""

TEMPLATE = """query($id: ID!) { node(id: $id) { ... on EmailTemplate {
  id stats { timesUsed lastUsedAt } } } }"""


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
        {"id": gid_of(email)},
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
    assert notice_data["parent"] == {"id": gid_of(email)}
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
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "RESOLVED"}}
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
