"""createEmailTemplate and updateEmailTemplate."""

import pytest

from app.accounts.models import Role
from app.core import ids
from app.templates.models import EmailTemplate
from tests.graphql.mutation_documents import CREATE_TEMPLATE, TEMPLATE_FIELDS
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

UPDATE_TEMPLATE = f"""mutation($input: UpdateEmailTemplateInput!) {{
  updateEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} modifiedAt }} {ERROR} }} }}"""


async def test_create_email_template_stores_it_unused(admin, queue):
    # when a manager creates a template for a queue
    manager = await admin.add_user(Role.MANAGER)
    result = await mutate(
        manager,
        CREATE_TEMPLATE,
        {
            "input": {
                "name": " Rejection ",
                "subject": "We cannot process {{ parent_email_subject }}",
                "message": "<p>Dear {{ sender_email }}</p>",
                "queue": gid_of(queue),
            }
        },
    )
    # then it comes back unused, with a trimmed name
    assert result["__typename"] == "EmailTemplate", result
    assert (result["name"], result["subject"], result["message"]) == (
        "Rejection",
        "We cannot process {{ parent_email_subject }}",
        "<p>Dear {{ sender_email }}</p>",
    )
    assert result["queue"] == {"id": gid_of(queue)}
    assert result["stats"] == {"timesUsed": 0, "lastUsedAt": None}
    # and is stored in the organization
    row = await EmailTemplate.get(id=ids.decode(result["id"], "EmailTemplate"))
    assert (row.organization_id, row.queue_id, row.times_used) == (
        admin.organization_id,
        queue.id,
        0,
    )


async def test_create_email_template_needs_only_a_name(admin):
    result = await mutate(admin, CREATE_TEMPLATE, {"input": {"name": "Blank"}})
    assert result["__typename"] == "EmailTemplate"
    assert (result["subject"], result["message"], result["queue"]) == ("", "", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Hello\r\nBcc: victim@example.com"}, "subject"),
        ({"subject": "Hello\nthere"}, "subject"),
        ({"subject": "Hello\rthere"}, "subject"),
        ({"subject": "x" * 999}, "subject"),
        ({"name": "  "}, "name"),
        ({"message": "x" * (64 * 1024 + 1)}, "message"),
    ],
    ids=[
        "crlf-subject",
        "lf-subject",
        "cr-subject",
        "long-subject",
        "blank-name",
        "large-message",
    ],
)
async def test_create_email_template_refuses_bad_fields(admin, fields, field):
    # when a template is created with one bad field
    result = await mutate(admin, CREATE_TEMPLATE, {"input": {"name": "T", **fields}})
    # then it is an InputError on that field, and no template exists
    assert_input_error(result, "BAD_REQUEST", field)
    assert await EmailTemplate.all().count() == 0


async def test_create_email_template_in_an_unknown_queue_is_not_found(admin):
    result = await mutate(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "T", "queue": ids.encode("Queue", 424242)}},
    )
    assert_input_error(result, "NOT_FOUND", "queue")
    assert await EmailTemplate.all().count() == 0


@pytest.fixture
async def template(admin) -> EmailTemplate:
    result = await mutate(
        admin,
        CREATE_TEMPLATE,
        {"input": {"name": "Thanks", "subject": "Thanks", "message": "<p>Thanks</p>"}},
    )
    return await EmailTemplate.get(id=ids.decode(result["id"], "EmailTemplate"))


async def test_update_email_template_changes_only_what_is_given(admin, template):
    # when only the subject is changed
    result = await mutate(
        admin,
        UPDATE_TEMPLATE,
        {"input": {"id": gid_of(template), "subject": "Thank you"}},
    )
    # then the rest stays, and stats are untouched
    assert result["__typename"] == "EmailTemplate", result
    assert (result["name"], result["subject"], result["message"]) == (
        "Thanks",
        "Thank you",
        "<p>Thanks</p>",
    )
    assert result["stats"]["timesUsed"] == 0
    row = await EmailTemplate.get(id=template.id)
    assert (row.name, row.subject, row.message) == (
        "Thanks",
        "Thank you",
        "<p>Thanks</p>",
    )
    assert row.modified_at >= template.modified_at


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Hi\r\nBcc: victim@example.com", "name": "Renamed"}, "subject"),
        ({"name": "", "subject": "Changed"}, "name"),
    ],
    ids=["crlf-subject", "empty-name"],
)
async def test_update_email_template_with_a_bad_field_changes_nothing(
    admin, template, fields, field
):
    result = await mutate(
        admin, UPDATE_TEMPLATE, {"input": {"id": gid_of(template), **fields}}
    )
    assert_input_error(result, "BAD_REQUEST", field)
    row = await EmailTemplate.get(id=template.id)
    assert (row.name, row.subject) == ("Thanks", "Thanks")


async def test_update_email_template_of_an_unknown_id_is_not_found(admin):
    result = await mutate(
        admin,
        UPDATE_TEMPLATE,
        {"input": {"id": ids.encode("EmailTemplate", 424242), "name": "X"}},
    )
    assert_input_error(result, "NOT_FOUND", "id")
