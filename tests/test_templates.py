"""Templates of the send pipeline: placeholders, escaping, the sandbox and stored
EmailTemplates, through sendEmail over HTTP (and the SMTP sink for what is sent)."""

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from app.core.ids import encode as global_id
from app.documents.models import Annotation, AnnotationStatus
from app.settings import get_settings
from app.templates.models import EmailTemplate
from tests.factories import make_document
from tests.helpers import Actor, gid_of
from tests.outbox.sending import (
    make_incoming,
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


async def actor_named(admin: Actor, full_name: str, email: str, role: Role) -> Actor:
    """A user of the admin's organization with a full name, and a token."""
    user = await accounts.create_user(
        organization_id=admin.organization_id,
        email=email,
        full_name=full_name,
        role=role,
    )
    _, token = await accounts.create_token(user=user)
    return Actor(admin.organization_id, user.id, token, admin.client)


def bracketed(text: str) -> dict[str, str]:
    """{key: value} from lines "key=[value]" of a rendered plain text."""
    values = {}
    for line in text.splitlines():
        key, sep, rest = line.partition("=[")
        if sep and rest.endswith("]"):
            values[key.strip()] = rest[:-1]
    return values


PLACEHOLDERS = {
    "org": "organization_name",
    "app": "app_url",
    "user": "user_name",
    "me": "current_user_fullname",
    "my": "current_user_email",
    "parent": "parent_email_subject",
    "sender": "sender_email",
    "file": "annotation.document.original_file_name",
    "order": "annotation.content.value.order_no",
    "total": "annotation.content.value.total",
    "aid": "annotation.id",
    "url": "annotation.url",
    "assignee": "annotation.assignee_email",
    "custom": "ticket",
    "nested": "extra.code",
}
MESSAGE = "".join(
    f"<p>{key}=[{{{{ {name} }}}}]</p>" for key, name in PLACEHOLDERS.items()
)


# ---------------------------------------------------------------------------
# Placeholders


async def test_every_placeholder_renders_and_values_are_escaped_in_html(
    make_org, smtp_sink, run_jobs
):
    # given an organization whose name needs escaping, a sending user with a name,
    # an incoming email, and an annotation with a document, values and an assignee
    admin = await make_org("Acme & Sons <Ltd>")
    sam = await actor_named(admin, "Sam Sender", "sam.sender@acme.test", Role.ANNOTATOR)
    anna = await accounts.create_user(
        organization_id=admin.organization_id,
        email="anna.assignee@acme.test",
        role=Role.ANNOTATOR,
    )
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id,
        queue,
        subject="Order 55 <urgent>",
        message_id="<o55@buyer.test>",
        from_address="alice@buyer.test",
        from_name="Alice Buyer",
    )
    document = await make_document(
        admin.organization_id,
        b"%PDF-1.4 x",
        "invoice-55.pdf",
        "application/pdf",
        email_id=parent.id,
    )
    annotation = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        document=document,
        email=parent,
        email_thread_id=parent.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
        assignee=anna,
        values={"emails_import:order_no": "55", "total": "99.50 €"},
    )
    ticket = '<img src=x onerror="alert(1)"> T&1 "quoted"'
    # when Sam answers it with a template using every placeholder
    result = await sent_task(
        sam,
        parentEmail=global_id("Email", parent.id),
        to=to("alice@buyer.test"),
        relatedAnnotations=[global_id("Annotation", annotation.id)],
        templateValues={
            "subject": "{{ parent_email_subject }} / {{ organization_name }}"
            " / {{ ticket }}",
            "message": MESSAGE,
            "ticket": ticket,
            "extra": {"code": "X-9"},
        },
    )
    public_url = get_settings().public_url
    expected = {
        "org": "Acme & Sons <Ltd>",
        "app": public_url,
        "user": "Alice Buyer",
        "me": "Sam Sender",
        "my": "sam.sender@acme.test",
        "parent": "Order 55 <urgent>",
        "sender": "alice@buyer.test",
        "file": "invoice-55.pdf",
        "order": "55",
        "total": "99.50 €",
        "aid": str(annotation.id),
        "url": f"{public_url.rstrip('/')}/annotations/"
        + global_id("Annotation", annotation.id),
        "assignee": "anna.assignee@acme.test",
        "custom": ticket,
        "nested": "X-9",
    }
    # then the stored plain text shows each value as it is
    email = result["email"]
    assert bracketed(email["bodyTextPlain"]) == expected
    # and the subject (plain text) is not HTML-escaped
    assert email["subject"] == "Order 55 <urgent> / Acme & Sons <Ltd> / " + ticket
    # and in the HTML every value is escaped, so none of it became markup
    html = email["bodyTextHtml"]
    assert "Acme &amp; Sons &lt;Ltd&gt;" in html and "Order 55 &lt;urgent&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert "<img" not in html and "<Ltd>" not in html and "<urgent>" not in html
    await run_jobs()
    # and the message sent says the same
    msg = parse(smtp_sink.received[0].data)
    assert msg["Subject"] == email["subject"]
    assert bracketed(msg.get_body(("plain",)).get_content()) == expected
    sent_html = msg.get_body(("html",)).get_content()
    assert "<img" not in sent_html and "&lt;img src=x onerror=" in sent_html


async def test_placeholders_without_parent_or_annotation(admin, smtp_sink):
    # given no parent email and no related annotation
    queue = await queue_with_inbox(admin.organization_id)
    message = (
        "<p>user=[{{ user_name }}]</p><p>parent=[{{ parent_email_subject }}]</p>"
        "<p>sender=[{{ sender_email }}]</p><p>aid=[{{ annotation.id }}]</p>"
        "<p>file=[{{ annotation.document.original_file_name }}]</p>"
        "<p>missing=[{{ no_such_key.deeper }}]</p>"
    )
    # when sent to a named and to an unnamed first recipient
    named = await sent_task(
        admin,
        queue=gid_of(queue),
        to=[{"email": "bob@client.test", "name": "Bob Client"}],
        cc=to("carol@client.test"),
        templateValues={"message": message},
    )
    unnamed = await sent_task(
        admin,
        queue=gid_of(queue),
        to=to("bob@client.test"),
        templateValues={"message": message},
    )
    # then user_name is the first recipient's name, else address; the rest is empty
    empty = {"parent": "", "sender": "", "aid": "", "file": "", "missing": ""}
    assert bracketed(named["email"]["bodyTextPlain"]) == {"user": "Bob Client", **empty}
    assert bracketed(unnamed["email"]["bodyTextPlain"]) == {
        "user": "bob@client.test",
        **empty,
    }


# ---------------------------------------------------------------------------
# The sandbox


# Each renders to nothing, or is refused; none may show Python internals.
SANDBOX = [
    "{{ x.__class__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ x|attr('__class__') }}",
    "{{ x.upper.__globals__ }}",
    "{{ annotations.__class__.__base__ }}",
    "{{ '{0.__class__}'.format(x) }}",
    "{{ config }}{{ request }}{{ settings }}{{ os }}",
    "{% for c in x.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    '{{ "a" * 100000000 }}',
    '{{ ["a"] * 100000000 }}',
    "{{ 2 ** 100000 }}",
    "{{ 10 ** 10 ** 100 }}",
    "{% for i in range(100000000) %}x{% endfor %}",
    "{{ range(10 ** 9)|list|length }}",
]
LEAKS = (
    "class",
    "__",
    "mro",
    "globals",
    "function",
    "module",
    "object at",
    "builtin",
    "jinja",
    "Template",
    "Context",
    "0x",
)


def assert_no_leak(text: str) -> None:
    for marker in LEAKS:
        assert marker not in text, (marker, text[:300])


@pytest.mark.parametrize("expression", SANDBOX)
async def test_sandbox_refuses_or_renders_nothing(
    admin, smtp_sink, run_jobs, expression
):
    # given a template trying to reach Python internals or to build a huge value
    queue = await queue_with_inbox(admin.organization_id)
    # when it is sent as the message, and as the subject
    as_message = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"message": f"<p>[{expression}]</p>", "x": "s"},
    )
    as_subject = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"subject": f"[{expression}]", "x": "s"},
    )
    # then each is an InputError naming its field, or renders to nothing
    for result, field in (
        (as_message, "templateValues.message"),
        (as_subject, "templateValues.subject"),
    ):
        if result["__typename"] == "InputError":
            assert (result["code"], result["field"]) == ("BAD_REQUEST", field), result
            assert_no_leak(result["message"].replace("__class__", "").replace("__", ""))
        else:
            assert result["__typename"] == "Task", result
            rendered = result["email"][
                "bodyTextPlain" if field.endswith("message") else "subject"
            ]
            assert rendered == "[]", rendered
            assert_no_leak(result["email"]["bodyTextHtml"])
    # and whatever was accepted is sent without trace of them either
    await run_jobs()
    for received in smtp_sink.received:
        text = received.data.decode("ascii", "replace")
        assert "[]" in text or "=5B=5D" in text
        for marker in ("mro", "globals", "object at", "builtin", "jinja"):
            assert marker not in text


async def test_template_globals_do_not_show_their_python_objects(admin, smtp_sink):
    # given Jinja's own globals printed as they are (not a documented placeholder)
    queue = await queue_with_inbox(admin.organization_id)
    expression = (
        "{{ lipsum }}{{ cycler }}{{ joiner }}{{ namespace }}{{ range }}{{ dict }}"
    )
    # when sent
    result = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"message": f"<p>[{expression}]</p>"},
    )
    # then they are refused or render to nothing: no class names, no memory addresses
    if result["__typename"] == "Task":
        assert result["email"]["bodyTextPlain"] == "[]", result["email"][
            "bodyTextPlain"
        ]
    else:
        assert (result["code"], result["field"]) == (
            "BAD_REQUEST",
            "templateValues.message",
        )


# Intermediate values that the output-size cap never sees (only their length is
# printed): the sandbox must bound them too, or one request can take all memory.
HUGE_INTERMEDIATES = {
    "center filter": "{{ ('a'|center(10 ** 8))|length }}",
    "format filter": "{{ ('%0100000000d'|format(1))|length }}",
    "% operator": "{{ ('%0100000000d' % 1)|length }}",
    "~ concatenation": "{% set a = 'a' * 250000 %}"
    "{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}"
    "{% set c = b ~ b ~ b ~ b ~ b ~ b ~ b ~ b %}{{ (c ~ c)|length }}",
    "replace filter": "{{ ('a' * 250000)|replace('a', 'a' * 20)|length }}",
}


@pytest.mark.parametrize("case", list(HUGE_INTERMEDIATES))
async def test_sandbox_bounds_intermediate_strings(admin, smtp_sink, case):
    # given a template that builds a string of ~100 MB and prints only its length
    queue = await queue_with_inbox(admin.organization_id)
    # when sent
    result = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        templateValues={"message": f"<p>{HUGE_INTERMEDIATES[case]}</p>"},
    )
    # then it is refused like "a" * 100000000 is
    assert result["__typename"] == "InputError", (
        f"rendered {result['email']['bodyTextPlain']!r}: the sandbox built it"
    )
    assert (result["code"], result["field"]) == (
        "BAD_REQUEST",
        "templateValues.message",
    )
    assert await outgoing_rows(admin.organization_id) == (0, 0)


# Work without a big value: these run for minutes to hours, so they are rendered in a
# child process that is killed when it overruns (the API would be blocked meanwhile:
# rendering runs on the event loop).
RUNAWAY = {
    "nested huge loops": "{% for i in range(100000) %}{% for j in range(100000) %}"
    "{% endfor %}{% endfor %}",
    "powers of powers": "{{ (((((2 ** 64) ** 64) ** 64) ** 64) ** 64) ** 64 > 1 }}",
}
RENDER_IN_CHILD = textwrap.dedent("""
    import sys
    from app.core.errors import InvalidInput
    from app.templates.rendering import render
    try:
        print(repr(render(sys.argv[1], {}, html=True, field="templateValues.message")))
    except InvalidInput as exc:
        print("InputError", exc.field)
""")


@pytest.mark.parametrize("case", list(RUNAWAY))
def test_sandbox_bounds_rendering_work(case):
    # given a template whose rendering is a huge amount of work
    # when it is rendered
    try:
        done = subprocess.run(
            [sys.executable, "-c", RENDER_IN_CHILD, RUNAWAY[case]],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: still rendering after 10 s; one sendEmail blocks the API")
    # then it ends quickly, refused (or empty)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() in ("InputError templateValues.message", "''")


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
    assert email["bodyTextPlain"] == "Hello Xavier, order 55 is ready."
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
    assert second["email"]["bodyTextPlain"] == "Hello y@client.test, order 56 is ready."
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
    assert result["__typename"] == "InputError"
    assert (
        result["code"] == "BAD_REQUEST" and result["field"] == "templateValues.message"
    )
    assert await outgoing_rows(admin.organization_id) == (0, 0)
    assert (await times_used(admin, template["id"]))["timesUsed"] == 0
