"""A text without "{" is not parsed (most typed subjects and messages): it must
render exactly as Jinja renders it, in the HTML and the text environment."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.templates.rendering import _HTML, _TEXT, parse, render

TRICKY = [
    "",
    "\n",
    "\n\n",
    "a\r\nb\rc\nd",
    "ends with a line break\r\n",
    "two at the end\n\n",
    "\r",
    "<p>Dear customer, <b>5 < 6 & 7</b></p>\n",
    "} %} #} alone",
    "unicode \u2028 \x85 \u00e9",
]


@pytest.mark.parametrize("source", TRICKY)
@pytest.mark.parametrize("html", [True, False])
def test_plain_text_renders_as_jinja_renders_it(source: str, html: bool) -> None:
    env = _HTML if html else _TEXT
    assert parse(source, html=html, field="message").tree is None
    expected = env.from_string(source).render({})
    assert render(source, {}, html=html, field="message") == expected


@given(st.text(alphabet=st.characters(blacklist_characters="{")))
def test_any_text_without_a_brace_renders_as_jinja_renders_it(source: str) -> None:
    for html, env in ((True, _HTML), (False, _TEXT)):
        expected = env.from_string(source).render({})
        assert render(source, {}, html=html, field="message") == expected
