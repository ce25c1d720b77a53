"""The page look-ahead (app/graphql/prefetch.py) loads what the selection asks for
before the fields resolve. It must never change an answer: a page read through
fragments, inline fragments and aliases equals the same emails read one by one
(`node(id:)` runs no look-ahead), and it must not cost statements per row."""

from typing import Any

import pytest

from app.graphql.prefetch import RELATIONS
from app.graphql.schema import build_schema
from tests.graphql.test_sql_count import _seed

FIELDS = """
  id subject
  ...Relations
  ... on Email { labels annotationCounts { annotations annotationsRejected } }
  firstThread: emailThread { id labels rootEmail { id subject } }
  otherThread: emailThread { subject annotationCounts { annotationsProcessed } }
  documents { originalFileName annotations { status document { id } } email { id } }
  relatedDocuments { id }
  children { id documents { id } }
"""

FRAGMENT = """
fragment Relations on Email {
  annotations { id status queue { id } emailThread { id } }
  relatedAnnotations { id document { originalFileName } }
  queue { id name } inbox { id } creator { id }
}
"""

PAGE = (
    "query Page($first: Int!) { emails(first: $first) {"
    " edges { node { " + FIELDS + " } }"
    " nodes { id parent { id subject } } } }" + FRAGMENT
)

ONE = (
    "query One($id: ID!) { node(id: $id) { ... on Email { "
    + FIELDS
    + " } } }"
    + FRAGMENT
)


@pytest.fixture
def budget(settings):
    settings(graphql_max_cost="50000")


async def test_a_page_answers_as_its_emails_do_one_by_one(budget, admin):
    await _seed(admin.organization_id, admin.user_id)
    page = (await admin.data(PAGE, {"first": 40}))["emails"]
    nodes = [edge["node"] for edge in page["edges"]]
    assert len(nodes) == 40
    for node in nodes:
        one = (await admin.data(ONE, {"id": node["id"]}))["node"]
        assert one == node
    # the relations are really there, so the comparison compares something
    assert all(n["documents"][0]["annotations"][0]["document"] for n in nodes)
    assert any(n["children"] for n in nodes)
    assert all(n["firstThread"]["rootEmail"] for n in nodes)
    assert any(n["parent"] for n in page["nodes"])


async def test_aliases_and_fragments_cost_no_statement_per_row(
    budget, admin, sql_counter
):
    await _seed(admin.organization_id, admin.user_id)
    await admin.data("{ viewer { id } }")
    counts = []
    for first in (10, 100):
        sql_counter.statements.clear()
        data = await admin.data(PAGE, {"first": first})
        assert len(data["emails"]["edges"]) == first
        counts.append(len(sql_counter.statements))
    assert counts[0] == counts[1], counts


def test_every_relation_names_a_field_and_a_loader():
    from app.graphql.loaders import Loaders

    loaders = Loaders(organization_id=1)
    schema = build_schema()
    for type_name, relations in RELATIONS.items():
        definition: Any = schema.get_type_by_name(type_name)
        assert definition is not None, type_name
        names = {
            field.graphql_name or _camel(field.python_name)
            for field in definition.fields
        }
        for field, relation in relations.items():
            assert field in names, (type_name, field)
            assert hasattr(loaders, relation.loader), relation
            assert (
                relation.child is None
                or relation.child in RELATIONS
                or (schema.get_type_by_name(relation.child) is not None)
            ), relation


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
