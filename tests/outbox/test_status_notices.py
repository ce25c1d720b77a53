"""AUTOMATIC_STATUS_CHANGED_INFO templates: one labelled email to the original sender
when an annotation moves into a trigger status, once per annotation and status,
never to automatic mail (RFC 3834), with automation-safe placeholders only."""

import uuid
from email import message_from_bytes, policy
from typing import Any

from strawberry.relay import GlobalID

from app.mail.models import Email, EmailType
from app.tasks.models import Task, TaskKind, TaskStatus
from app.templates.models import EmailTemplate, StatusChangeNotice
from app.triage.dismissal import dismiss_email_job
from tests.factories import SENDER
from tests.helpers import ERROR, assert_input_error, gid, mutate
from tests.triage.api import (
    UPDATE_ANNOTATION,
    dismiss,
    email_state,
    import_message,
)

TEMPLATE_FIELDS = "id type enabled triggerStatuses subject message"
CREATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} }} {ERROR} }} }}"""
UPDATE = f"""mutation($input: UpdateEmailTemplateInput!) {{
  updateEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} }} {ERROR} }} }}"""

AUTOMATIC = "AUTOMATIC_STATUS_CHANGED_INFO"


async def automatic_template(actor: Any, **fields: Any) -> dict[str, Any]:
    result = await mutate(
        actor,
        CREATE,
        {
            "input": {
                "name": "Status info",
                "type": AUTOMATIC,
                "triggerStatuses": ["CONFIRMED"],
                "subject": "Update on {{ parent_email_subject }}",
                "message": "<p>{{ annotation.document.original_file_name }} is "
                "{{ annotation.status }} at {{ organization_name }}.</p>",
                **fields,
            }
        },
    )
    assert result["__typename"] == "EmailTemplate", result
    return result


async def set_status(actor: Any, annotation: Any, status: str) -> None:
    result = await mutate(
        actor,
        UPDATE_ANNOTATION,
        {"id": gid("Annotation", annotation.id), "status": status},
    )
    assert result["status"] == status, result


async def notices(organization_id: int) -> list[Email]:
    return await Email.filter(
        organization_id=organization_id, type=EmailType.OUTGOING
    ).order_by("id")


async def test_a_status_change_into_a_trigger_sends_one_notice(
    admin, world, smtp_sink, run_jobs
):
    # given an enabled template triggered by CONFIRMED, and an email's annotation
    template = await automatic_template(admin)
    assert (template["enabled"], template["triggerStatuses"]) == (True, ["CONFIRMED"])
    email = await world.email("Invoice 12", message_id="<inv12@vendor.test>")
    note = await world.annotation(email)

    # when the annotation moves through a status that is no trigger
    await set_status(admin, note, "REVIEWING")
    await run_jobs()
    # then nothing is sent
    assert smtp_sink.received == []

    # when it is CONFIRMED
    await set_status(admin, note, "CONFIRMED")
    await run_jobs()
    # then one notice went to the original sender, automatic by RFC 3834
    [envelope] = smtp_sink.received
    assert envelope.recipients == [SENDER]
    message = message_from_bytes(envelope.data, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "Update on Invoice 12"
    assert message["In-Reply-To"] == "<inv12@vendor.test>"
    html = message.get_body(preferencelist=("html",)).get_content()
    document = await note.document
    assert f"{document.original_file_name} is CONFIRMED" in html
    # and it is labelled, in the thread, about the annotation
    [notice] = await notices(admin.organization_id)
    data = await email_state(admin, notice)
    assert data["labels"] == [AUTOMATIC]
    assert data["parent"] == {"id": gid("Email", email.id)}
    assert data["relatedAnnotations"] == [{"id": gid("Annotation", note.id)}]
    assert data["deliveryStatus"] == "SENT"

    # when it leaves CONFIRMED and comes back
    await set_status(admin, note, "TO_REVIEW")
    await set_status(admin, note, "CONFIRMED")
    await run_jobs()
    # then nothing more is sent: once per annotation and status
    assert len(smtp_sink.received) == 1
    assert len(await notices(admin.organization_id)) == 1
    stored = await EmailTemplate.get(id=GlobalID.from_id(template["id"]).node_id)
    assert stored.times_used == 1


async def test_the_dismiss_job_run_twice_sends_one_notice_per_annotation(
    admin, world, smtp_sink, run_jobs
):
    # given a template triggered by REJECTED and an email with two annotations
    await automatic_template(admin, triggerStatuses=["REJECTED"])
    email = await world.email("Invoice 13")
    notes = [await world.annotation(email) for _ in range(2)]
    # when it is dismissed rejecting them, and the job runs again after a reset
    result = await dismiss(admin, email, rejectAnnotations=True)
    await run_jobs()
    task_id = uuid.UUID(str(GlobalID.from_id(result["id"]).node_id))
    await Task.filter(id=task_id).update(status=TaskStatus.QUEUED)
    await dismiss_email_job({}, str(task_id))
    await run_jobs()
    # then each annotation's notice went once
    assert len(smtp_sink.received) == 2
    rows = await StatusChangeNotice.filter(annotation_id__in=[n.id for n in notes])
    assert sorted((r.annotation_id, r.status) for r in rows) == sorted(
        (n.id, "REJECTED") for n in notes
    )
    sends = await Task.filter(
        organization_id=admin.organization_id, kind=TaskKind.SEND_EMAIL
    )
    assert len(sends) == 2


async def test_automatic_or_list_mail_and_no_reply_senders_get_no_notice(
    admin, world, smtp_sink, run_jobs
):
    await automatic_template(admin)
    automatic = [
        {"message_headers": [{"name": "Auto-Submitted", "value": "auto-replied"}]},
        {"message_headers": [{"name": "Precedence", "value": "bulk"}]},
        {"message_headers": [{"name": "List-Id", "value": "<ap.lists.vendor.test>"}]},
        {"message_headers": [{"name": "Return-Path", "value": "<>"}]},
        {"sender": "no-reply@vendor.test"},
        {"sender": "MAILER-DAEMON@vendor.test"},
    ]
    notes = []
    for extra in automatic:
        notes.append(await world.annotation(await world.email("Auto", **extra)))
    # and one ordinary email, whose Auto-Submitted says "no"
    plain = await world.email(
        "Plain", message_headers=[{"name": "Auto-Submitted", "value": "no"}]
    )
    notes.append(await world.annotation(plain))
    for note in notes:
        await set_status(admin, note, "CONFIRMED")
    await run_jobs()
    # only the ordinary email's sender got a notice
    [envelope] = smtp_sink.received
    assert envelope.recipients == [SENDER]
    [notice] = await notices(admin.organization_id)
    assert notice.parent_id == plain.id


async def test_disabled_or_other_queue_templates_send_nothing(
    admin, world, smtp_sink, run_jobs
):
    # given a disabled template
    template = await automatic_template(admin, enabled=False)
    email = await world.email("Invoice 14")
    note = await world.annotation(email)
    await set_status(admin, note, "CONFIRMED")
    await run_jobs()
    assert smtp_sink.received == []
    # when it is enabled, the next annotation confirmed gets a notice
    result = await mutate(
        admin, UPDATE, {"input": {"id": template["id"], "enabled": True}}
    )
    assert result["enabled"] is True
    other = await world.annotation(email)
    await set_status(admin, other, "CONFIRMED")
    await run_jobs()
    assert len(smtp_sink.received) == 1


async def test_an_import_into_to_review_triggers_a_notice(
    admin, world, smtp_sink, run_jobs
):
    await automatic_template(admin, triggerStatuses=["TO_REVIEW"])
    await import_message(
        admin,
        run_jobs,
        world,
        subject="Invoice 15",
        message_id="<inv15@vendor.test>",
        attachment="inv15.pdf",
    )
    await run_jobs()
    [envelope] = smtp_sink.received
    assert envelope.recipients == [SENDER]
    message = message_from_bytes(envelope.data, policy=policy.default)
    assert "inv15.pdf is TO_REVIEW" in message.get_body().get_content()


async def test_bad_automation_input_is_refused_and_nothing_is_stored(admin, world):
    cases = [
        ({"type": "CUSTOM", "triggerStatuses": ["CONFIRMED"]}, "triggerStatuses"),
        ({"type": "REJECTION", "triggerStatuses": None, "enabled": False}, "enabled"),
        ({"triggerStatuses": ["IMPORTING"]}, "triggerStatuses"),
        ({"message": "<p>{{ user_name }}</p>"}, "message"),
        ({"subject": "From {{ current_user_fullname }}"}, "subject"),
        ({"message": "<p>{{ reason }}</p>"}, "message"),
    ]
    for fields, field in cases:
        result = await mutate(
            admin,
            CREATE,
            {
                "input": {
                    "name": "Bad",
                    "type": AUTOMATIC,
                    "triggerStatuses": ["CONFIRMED"],
                    **fields,
                }
            },
        )
        assert_input_error(result, "BAD_REQUEST", field)
    assert (
        await EmailTemplate.filter(organization_id=admin.organization_id).count() == 0
    )

    # and an update with a bad trigger or placeholder changes nothing
    template = await automatic_template(admin)
    for fields, field in (
        ({"triggerStatuses": ["IMPORTING"]}, "triggerStatuses"),
        ({"message": "<p>{{ current_user_email }}</p>"}, "message"),
    ):
        result = await mutate(
            admin, UPDATE, {"input": {"id": template["id"], **fields}}
        )
        assert_input_error(result, "BAD_REQUEST", field)
    custom = await mutate(admin, CREATE, {"input": {"name": "Plain", "subject": "Hi"}})
    result = await mutate(
        admin, UPDATE, {"input": {"id": custom["id"], "enabled": True}}
    )
    assert_input_error(result, "BAD_REQUEST", "enabled")
    stored = await EmailTemplate.get(id=GlobalID.from_id(template["id"]).node_id)
    assert stored.trigger_statuses == ["CONFIRMED"]
    assert "current_user_email" not in stored.message
