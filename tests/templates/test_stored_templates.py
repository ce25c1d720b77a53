"""Stored EmailTemplates used by sendEmail: rendering and use counts."""

import asyncio
from typing import Any

from app.accounts.models import User
from app.core.ids import encode as global_id
from app.templates.models import EmailTemplate
from tests.helpers import Actor, assert_input_error, gid_of
from tests.outbox.sending import (
    outgoing_rows,
    parse,
    queue_with_inbox,
    send,
    sent_task,
    to,
)

CREATE_TEMPLATE = """
mutation Create($input: CreateEmailTemplateInput!) {
  createEmailTemplate(input: $input) {
    __typename
    ... on EmailTemplate { id name subject message stats { timesUsed lastUsedAt } }
    ... on InputError { code field message }
  }
}"""

TEMPLATE_STATS = """
query Stats($id: ID!) {
  node(id: $id) { ... on EmailTemplate { stats { timesUsed lastUsedAt } } }
}"""


# ---------------------------------------------------------------------------
# Stored templates


async def create_template(actor: Actor, **input: Any) -> dict[str, Any]:
    result = (await actor.data(CREATE_TEMPLATE, {"input": input}))[
        "createEmailTemplate"
    ]
    assert result["__typename"] == "EmailTemplate", result
    return result


async def times_used(actor: Actor, template_id: str) -> dict[str, Any]:
    return (await actor.data(TEMPLATE_STATS, {"id": template_id}))["node"]["stats"]


async def test_email_template_renders_and_counts_its_uses(admin, smtp_sink, run_jobs):
    # given a stored template
    queue = await queue_with_inbox(admin.organization_id)
    template = await create_template(
        admin,
        name="Order ready",
        subject="Order {{ order }} from {{ organization_name }}",
        message="<p>Hello {{ user_name }}, order {{ order }} is ready.</p>"
        "<script>track()</script>",
    )
    assert template["stats"] == {"timesUsed": 0, "lastUsedAt": None}
    # when an email is sent with it and a custom value
    first = await sent_task(
        admin,
        queue=gid_of(queue),
        emailTemplate=template["id"],
        to=[{"email": "x@client.test", "name": "Xavier"}],
        templateValues={"order": "55"},
    )
    # then its subject and message are rendered (and the message sanitized)
    email = first["email"]
    assert email["subject"] == "Order 55 from Acme"
    me = (await User.get(id=admin.user_id)).username
    assert email["bodyTextPlain"] == f"Hello {me}, order 55 is ready."
    assert (
        "<script" not in email["bodyTextHtml"]
        and "track()" not in email["bodyTextHtml"]
    )
    # and the template was used once
    stats = await times_used(admin, template["id"])
    assert stats["timesUsed"] == 1 and stats["lastUsedAt"] is not None

    # when templateValues gives a subject of its own
    second = await sent_task(
        admin,
        queue=gid_of(queue),
        emailTemplate=template["id"],
        to=to("y@client.test"),
        templateValues={"order": "56", "subject": "Ready: {{ order }}"},
    )
    # then it overrides the template's subject, and the template's message stays
    assert second["email"]["subject"] == "Ready: 56"
    assert second["email"]["bodyTextPlain"] == f"Hello {me}, order 56 is ready."
    assert (await times_used(admin, template["id"]))["timesUsed"] == 2

    # and a refused send does not count as a use
    refused = await send(
        admin,
        queue=gid_of(queue),
        emailTemplate=template["id"],
        to=to("not-an-address"),
    )
    assert refused["__typename"] == "InputError"
    assert (await times_used(admin, template["id"]))["timesUsed"] == 2

    await run_jobs()
    subjects = sorted(parse(m.data)["Subject"] for m in smtp_sink.received)
    assert subjects == ["Order 55 from Acme", "Ready: 56"]


async def test_templates_used_at_the_same_time_count_every_use(admin, smtp_sink):
    # given a stored template
    queue = await queue_with_inbox(admin.organization_id)
    template = await create_template(
        admin, name="T", subject="S {{ n }}", message="<p>M</p>"
    )
    # when three emails use it at the same time
    results = await asyncio.gather(
        *[
            send(
                admin,
                queue=gid_of(queue),
                emailTemplate=template["id"],
                to=to(f"r{n}@client.test"),
                templateValues={"n": str(n)},
            )
            for n in range(3)
        ]
    )
    # then three uses are counted
    assert [r["__typename"] for r in results] == ["Task"] * 3
    assert (await times_used(admin, template["id"]))["timesUsed"] == 3


async def test_template_syntax_error_in_a_stored_template_is_an_input_error(
    admin, smtp_sink
):
    # given a template createEmailTemplate refuses...
    refused = await admin.gql(
        "mutation($input: CreateEmailTemplateInput!) { createEmailTemplate("
        "input: $input) { __typename ... on InputError { code field } } }",
        {"input": {"name": "Broken", "message": "<p>{% if %}</p>"}},
    )
    assert refused["data"]["createEmailTemplate"] == {
        "__typename": "InputError",
        "code": "BAD_REQUEST",
        "field": "message",
    }
    # ...but stored before that rule existed
    queue = await queue_with_inbox(admin.organization_id)
    row = await EmailTemplate.create(
        organization_id=admin.organization_id,
        name="Broken",
        subject="Fine",
        message="<p>{% if %}</p>",
    )
    template = {"id": global_id("EmailTemplate", row.id)}
    # when it is used, then the send is an InputError and nothing is created
    result = await send(
        admin,
        queue=gid_of(queue),
        emailTemplate=template["id"],
        to=to("x@client.test"),
    )
    # naming the template as the input at fault
    assert_input_error(result, "BAD_REQUEST", "emailTemplate")
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert (await times_used(admin, template["id"]))["timesUsed"] == 0
