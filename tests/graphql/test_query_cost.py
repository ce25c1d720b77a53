"""The cost budget: a document whose lists multiply past GRAPHQL_MAX_COST is refused
before it runs, with BAD_REQUEST naming its cost and the limit; a real page passes."""

import time

import pytest

from tests.helpers import error_code

NESTED = """{ emails(first: 100) { nodes { id emailThread {
  emails(first: 100) { nodes { id emailThread {
    emails(first: 100) { nodes { id } } } } } } } } }"""

# What a list view asks for: a full page of emails with their documents and thread.
INBOX_PAGE = """query Inbox($after: String) {
  emails(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id subject createdAt unread labels
      from { email name }
      annotationCounts { annotations annotationsUnprocessed }
      documents { id originalFileName mimeType size contentUrl }
      emailThread { id subject hasNewReplies }
    } }
  }
}"""


def assert_refused_for_cost(body: dict, cost: int, limit: int = 5000) -> None:
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error_code(body) == "BAD_REQUEST"
    assert f"costs {cost}" in error["message"], error
    assert f"limit is {limit}" in error["message"], error


async def test_nested_connections_are_refused_before_running(admin, email):
    # given three connections of 100 nested in each other (a million rows)
    # when it is posted
    started = time.perf_counter()
    body = await admin.gql(NESTED)
    elapsed = time.perf_counter() - started
    # then it is refused with its cost and the limit, at once
    assert_refused_for_cost(body, 2_040_401)
    print(f"nested query refused in {elapsed * 1000:.1f} ms")
    assert elapsed < 1.0


async def test_a_page_of_a_hundred_emails_with_documents_and_thread_passes(
    admin, email
):
    body = await admin.gql(INBOX_PAGE)
    assert "errors" not in body, body
    assert body["data"]["emails"]["totalCount"] == 1


async def test_page_sizes_given_as_variables_are_what_counts(admin):
    query = """query($n: Int) { emails(first: $n) { nodes { emailThread {
      emails(first: $n) { nodes { id } } } } } }"""
    # 1 + n * (1 + 1 + (1 + n * 2)): 20,301 at 100, 66 at 5
    assert_refused_for_cost(await admin.gql(query, {"n": 100}), 20_301)
    assert "errors" not in await admin.gql(query, {"n": 5})
    # the document's validation is cached, its cost is counted again each time
    assert_refused_for_cost(await admin.gql(query, {"n": 100}), 20_301)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "query { emails(first: 100) { ...Deep } }"
            " fragment Deep on EmailConnection { nodes { emailThread {"
            " emails(first: 100) { nodes { id } } } } }",
            id="named-fragment",
        ),
        pytest.param(
            '{ node(id: "x") { ... on EmailThread { emails(first: 100) { nodes {'
            " ... on Email { emailThread { emails(first: 100) { nodes { id } } } }"
            " } } } } }",
            id="inline-fragments",
        ),
    ],
)
async def test_fragments_count_like_fields(admin, query):
    body = await admin.gql(query)
    assert error_code(body) == "BAD_REQUEST", body
    assert "costs" in body["errors"][0]["message"]


@pytest.fixture
def budget_of_40(settings):
    settings(graphql_max_cost="40")


async def test_a_connection_without_first_costs_the_default_page_size(
    budget_of_40, admin
):
    # given a budget of 40 and the default page of 20: 1 + 20 * (nodes 1 + id 1)
    body = await admin.gql("{ queues { nodes { id } } }")
    assert_refused_for_cost(body, 41, limit=40)


async def test_plain_lists_count_as_five_and_multiply(budget_of_40, admin):
    # an email's documents, a document's annotations: 1 + n * (1 + 1 + 5 * (1 + 5))
    query = "query($n: Int) { emails(first: $n) { nodes { documents { annotations {"
    query += " id } } } } }"
    assert "errors" not in await admin.gql(query, {"n": 1})  # 33
    assert_refused_for_cost(await admin.gql(query, {"n": 2}), 65, limit=40)
