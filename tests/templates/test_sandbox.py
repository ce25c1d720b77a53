"""The template sandbox: no Python internals, bounded strings, bounded work."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import gid_of
from tests.outbox.sending import (
    outgoing_rows,
    queue_with_inbox,
    send,
    to,
)

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
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: still rendering after 10 s; one sendEmail blocks the API")
    # then it ends quickly, refused (or empty)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() in ("InputError templateValues.message", "''")
