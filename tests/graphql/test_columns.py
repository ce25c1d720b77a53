"""Queries fetch only the columns they read (app/graphql/columns.py). That must never
change an answer: every field of every planned type, selected alone, answers as it
does when whole rows are loaded; and the plan really narrows what is fetched."""

from typing import Any

import pytest
from graphql import (
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
    parse,
)

from app.graphql import columns
from app.graphql.schema import build_schema
from app.mail.models import Email
from tests import mailcorpus as mc
from tests.graphql.test_sql_count import _seed
from tests.intake.importing import imported_email, intake_inbox

# Where a page of each planned type is reached from; FIELD is the one selected.
ENTRY = {
    "Email": "emails(first: 100) { nodes { id FIELD } }",
    "EmailThread": "emailThreads(first: 100) { nodes { id FIELD } }",
    "Document": "emails(first: 100) { nodes { id documents { id FIELD } } }",
    "Annotation": "emails(first: 100) { nodes { id annotations { id FIELD } } }",
}


def _selection(field: Any) -> str | None:
    """The field with a selection that resolves it; None if it needs arguments."""
    if any(is_non_null_type(arg.type) for arg in field.args.values()):
        return None
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return ""
    if is_object_type(named) and "edges" in named.fields:
        return " { totalCount nodes { id } }"
    if is_object_type(named) and "id" in named.fields:
        return " { __typename id }"
    return " { __typename }"


def _queries() -> list[tuple[str, str, str]]:
    graphql_schema = build_schema()._schema
    found = []
    for type_name, entry in ENTRY.items():
        for name, field in graphql_schema.get_type(type_name).fields.items():
            selection = _selection(field)
            if selection is None or field.deprecation_reason:
                continue
            query = "{ " + entry.replace("FIELD", name + selection) + " }"
            found.append((type_name, name, query))
    return found


@pytest.fixture
def budget(settings):
    settings(graphql_max_cost="100000")


@pytest.fixture
async def mailbox(budget, admin, run_jobs):
    await _seed(admin.organization_id, admin.user_id)
    await intake_inbox(admin.organization_id)
    # real mail too: parts, headers, HTML, Cc, names
    for raw in (mc.outlook_related(), mc.gmail_mixed(), mc.international_names()):
        await imported_email(admin, run_jobs, raw)
    return admin


async def test_every_field_alone_answers_as_with_whole_rows(mailbox, monkeypatch):
    queries = _queries()
    assert len(queries) > 60  # the schema's fields, not a handful
    planned = [(t, f, await mailbox.data(q)) for t, f, q in queries]
    monkeypatch.setattr(columns, "plan", lambda schema, document: {})
    for (type_name, field, answer), (_, _, query) in zip(planned, queries, strict=True):
        assert answer == await mailbox.data(query), (type_name, field)


def test_the_plan_fetches_what_the_page_reads():
    schema = build_schema()
    document = parse(
        "{ emails(first: 10) { edges { node { id subject ...F"
        " emailThread { subject } documents { originalFileName } } } } }"
        " fragment F on Email { from { email } contentUrl }"
    )
    plan = columns.plan(schema, document)
    email = set(plan[Email])
    assert email == {
        "id",
        "subject",
        "from_address",
        "from_name",
        "organization_id",
        "email_thread_id",
    }
    assert not any("parts" in c or "headers" in c for c in email)


def test_a_field_whose_reads_are_unknown_loads_whole_rows():
    schema = build_schema()
    fields = columns._field_reads(schema, "Email")
    assert all(v is not None for v in fields.values()), [
        k for k, v in fields.items() if v is None
    ]
    assert columns._columns(schema, "Email", ["subject", "noSuchField"]) is None
