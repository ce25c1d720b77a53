"""GraphiQL in a real browser with no internet: a headless Chromium opens the page of
a running `mailroom serve` by the link `mailroom dev` prints (the token in the
fragment), runs `{ viewer { email } }` and sees the admin's email in the result pane.
Every URL the page requests is on 127.0.0.1; no console error, CSP or SRI refusal."""

import json
from urllib.parse import quote, urlsplit

import pytest

from .browser import chromium_path, headless_page
from .harness import Stack, Tenant

CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (Debian: apt-get install -y chromium; .ci/run does)",
)

RESULT_TEXT = (
    "document.querySelector('.graphiql-response .CodeMirror')"
    "?.CodeMirror.getValue() ?? ''"
)


@pytest.fixture(scope="module")
def serving(stack: Stack, tenant: Tenant) -> Stack:
    stack.start_serve()
    return stack


def test_graphiql_runs_a_query_offline_with_the_token_from_the_link(
    serving: Stack, tenant: Tenant
):
    assert CHROMIUM is not None
    query = "{ viewer { email } }"
    link = (
        f"{serving.base_url}/graphql?query={quote(query)}#token={quote(tenant.token)}"
    )
    with headless_page(CHROMIUM) as page:
        # Given the GraphiQL page, opened by the link with the token in the fragment
        page.send("Page.navigate", url=link)
        page.wait_for("document.querySelector('.graphiql-execute-button') !== null")
        # Then its headers editor (open, as it holds headers) has the bearer token
        headers = page.wait_for(
            "document.querySelector("
            "'.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')"
            "?.CodeMirror.getValue()"
        )
        assert json.loads(headers) == {"Authorization": f"Bearer {tenant.token}"}

        # When the query is run
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")

        # Then the result pane shows the admin's email
        text = page.wait_for(
            f"((t) => t.includes('admin@acme.example') && t)({RESULT_TEXT})"
        )
        result = json.loads(text)
        assert result == {"data": {"viewer": {"email": "admin@acme.example"}}}

        # And every request stayed on this machine, without a refusal or error
        urls = page.requested_urls()
        assert any(url.endswith("/static/graphiql/graphiql.min.js") for url in urls)
        off_machine = [
            url
            for url in urls
            if not url.startswith("data:") and urlsplit(url).hostname != "127.0.0.1"
        ]
        assert off_machine == []
        assert page.problems() == []
        # And the token was not stored in the browser
        stored = page.evaluate("JSON.stringify(Object.entries(localStorage))")
        assert "graphiql" in stored and tenant.token not in stored


def test_graphiql_without_a_token_says_how_to_give_one(serving: Stack):
    assert CHROMIUM is not None
    with headless_page(CHROMIUM) as page:
        # Given the page opened without a token
        page.send("Page.navigate", url=f"{serving.base_url}/graphql")
        page.wait_for("document.querySelector('.graphiql-execute-button') !== null")
        # When the default query is run
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        # Then the answer explains how to give the token (no request is sent)
        text = page.wait_for(f"((t) => t.includes('No token yet') && t)({RESULT_TEXT})")
        assert "#token=" in text
        assert "AUTHENTICATION_FAILED" not in text
        assert page.problems() == []
