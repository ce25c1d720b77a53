"""Placeholders inside values (expanded, values first), and unknown placeholders
refused naming them: at sendEmail, and when a template is saved."""

import pytest

from app.accounts.models import User
from app.templates.models import EmailTemplate
from tests.helpers import ERROR, assert_input_error, gid_of, mutate
from tests.outbox.sending import (
    make_incoming,
    outgoing_rows,
    queue_with_inbox,
    send,
    sent_task,
    to,
)

CREATE_TEMPLATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ id }} {ERROR} }}
}}"""
UPDATE_TEMPLATE = f"""mutation($input: UpdateEmailTemplateInput!) {{
  updateEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ id }} {ERROR} }}
}}"""


async def test_values_holding_placeholders_are_expanded(admin):
    # given values that name other values and built-ins, three levels deep
    queue = await queue_with_inbox(admin.organization_id)
    me = (await User.get(id=admin.user_id)).username
    result = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("a@client.test"),
        subject="{{ title }}",
        text="{{ greeting }} {{ sign }}",
        templateValues={
            "greeting": "Dear client of {{ org }},",
            "org": "{{ organization_name }} <{{ user_name }}>",
            "title": "From {{ org | upper }}",
            "sign": "{{ n }}",
            "n": 7,
        },
    )
    # then each is expanded before the texts are rendered
    email = result["email"]
    assert email["subject"] == f"From ACME <{me.upper()}>"
    assert email["bodyTextPlain"] == f"Dear client of Acme <{me}>, 7"


async def test_a_parents_text_is_never_read_as_a_template(admin, smtp_sink):
    # given a value naming the parent's subject, which holds a placeholder
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="{{ organization_name }}",
        message_id="<p1@vendor.test>",
    )
    result = await sent_task(
        admin,
        parentEmail=gid_of(parent),
        to=to("alice@vendor.test"),
        text="{{ quoted }}",
        templateValues={"quoted": "Re {{ parent_email_subject }}"},
    )
    # then the parent's subject is inserted as written
    assert result["email"]["bodyTextPlain"] == "Re {{ organization_name }}"


BAD_VALUES = {
    "a cycle": (
        {"text": "{{ a }}", "templateValues": {"a": "{{ b }}", "b": "x {{ a }}"}},
        "templateValues.a",
        "a -> b -> a",
    ),
    "a value naming itself": (
        {"text": "{{ a }}", "templateValues": {"a": "{{ a }}!"}},
        "templateValues.a",
        "a -> a",
    ),
    "too deep": (
        {
            "text": "{{ v0 }}",
            "templateValues": {f"v{i}": f"{{{{ v{i + 1} }}}}" for i in range(6)}
            | {"v6": "end"},
        },
        "templateValues.v5",
        "deeper than 5",
    ),
    "unknown in a value": (
        {"text": "{{ a }}", "templateValues": {"a": "{{ nope }}"}},
        "templateValues.a",
        "{{ nope }}",
    ),
    "unknown in the subject": ({"subject": "Hi {{ nmae }}"}, "subject", "{{ nmae }}"),
    "unknown in the message": (
        {"message": "<p>{{ annotation.docment.original_file_name }}</p>"},
        "message",
        "{{ annotation.docment.original_file_name }}",
    ),
    "unknown in text": ({"text": "{{ user_name.upper }}"}, "text", "user_name.upper"),
    "unknown in templateValues.message": (
        {"templateValues": {"message": "{{ extra.missing }}", "extra": {"a": 1}}},
        "templateValues.message",
        "{{ extra.missing }}",
    ),
    "a value growing past the message limit": (
        {
            "text": "{{ b }}",
            "templateValues": {"a": "x" * 60_000, "b": "{{ a }}" * 5},
        },
        "templateValues.b",
        "bytes",
    ),
}


@pytest.mark.parametrize(
    ("extra", "field", "says"), BAD_VALUES.values(), ids=BAD_VALUES.keys()
)
async def test_bad_placeholders_at_send_are_input_errors(admin, extra, field, says):
    queue = await queue_with_inbox(admin.organization_id)
    result = await send(admin, queue=gid_of(queue), to=to("a@client.test"), **extra)
    assert_input_error(result, "BAD_REQUEST", field)
    assert says in result["message"]
    assert await outgoing_rows(admin.organization_id) == (0, 0)


SAVED = {
    "unknown under a built-in": (
        "CUSTOM",
        {"message": "<p>{{ annotation.nope }}</p>"},
        "message",
        "{{ annotation.nope }}",
    ),
    "a built-in is not an object": (
        "CUSTOM",
        {"subject": "{{ organization_name.x }}"},
        "subject",
        "{{ organization_name.x }}",
    ),
    "a rejection names what Mailroom does not give": (
        "REJECTION",
        {"message": "<p>{{ reason }} {{ order }}</p>"},
        "message",
        "{{ order }}",
    ),
}


@pytest.mark.parametrize(
    ("type", "texts", "field", "says"), SAVED.values(), ids=SAVED.keys()
)
async def test_unknown_placeholders_are_refused_when_a_template_is_saved(
    admin, type, texts, field, says
):
    # when a template is created, or a good one updated, with the placeholder
    created = await mutate(
        admin, CREATE_TEMPLATE, {"input": {"name": "T", "type": type, **texts}}
    )
    good = await mutate(
        admin, CREATE_TEMPLATE, {"input": {"name": "Good", "type": type}}
    )
    updated = await mutate(
        admin, UPDATE_TEMPLATE, {"input": {"id": good["id"], **texts}}
    )
    # then both are an InputError naming it, and nothing was stored
    for result in (created, updated):
        assert_input_error(result, "BAD_REQUEST", field)
        assert says in result["message"]
    assert await EmailTemplate.filter(name="T").count() == 0
    stored = await EmailTemplate.get(name="Good")
    assert (stored.subject, stored.message) == ("", "")


async def test_saved_templates_may_name_custom_values_and_rejections_reason(admin):
    for type, message in (
        ("CUSTOM", "<p>{{ order }} {{ annotation.content.value.total }}</p>"),
        ("REJECTION", "<p>{{ reason }} {{ user_name }}</p>"),
    ):
        result = await mutate(
            admin,
            CREATE_TEMPLATE,
            {"input": {"name": type, "type": type, "message": message}},
        )
        assert result["__typename"] == "EmailTemplate", result
