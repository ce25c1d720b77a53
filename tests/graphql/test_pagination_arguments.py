"""Invalid paging arguments are BAD_REQUEST, on every connection; a cursor
outlives its row."""

import base64
import json
from typing import Any

import pytest

from app.threads.service import delete_email
from tests.graphql.paging import (
    CONNECTIONS,
    EMAILS,
    fetch,
    in_order,
    node_ids,
    seed_emails,
)


def cursor(values: Any) -> str:
    """A cursor forged the way the server encodes them (base64 of a JSON list)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


# --- invalid arguments ---------------------------------------------------------------

WHEN = "2024-03-01T09:00:00+00:00"

BAD_PAGING = [
    ({"after": "not a cursor"}, "garbage after"),
    ({"before": "not a cursor"}, "garbage before"),
    ({"after": base64.urlsafe_b64encode(b"{not json").decode()}, "not JSON"),
    ({"after": cursor({"created_at": WHEN, "id": 1})}, "not a list"),
    ({"after": cursor([WHEN])}, "too few values"),
    ({"after": cursor([WHEN, 1, 2])}, "too many values"),
    ({"after": cursor(["yesterday", 1])}, "not a timestamp"),
    ({"after": cursor([1709283600, 1])}, "a number for a timestamp"),
    ({"after": cursor([WHEN, "1"])}, "a string for an id"),
    ({"after": cursor([WHEN, True])}, "a boolean for an id"),
    ({"after": cursor([WHEN, 1.5])}, "a fraction for an id"),
    ({"before": cursor([None, 1])}, "null timestamp"),
    ({"after": cursor(["2024-03-01T09:00:00", 1])}, "timestamp without offset"),
    ({"after": cursor([WHEN, 2**31])}, "id beyond 32 bits"),
    ({"after": cursor([WHEN, 2**63])}, "id beyond 64 bits"),
    (
        {"after": cursor([1, 1]), "orderBy": {"field": "SUBJECT"}},
        "a number for a subject",
    ),
    ({"first": 101}, "first above the maximum"),
    ({"last": 101}, "last above the maximum"),
    ({"first": -1}, "negative first"),
    ({"last": -1}, "negative last"),
    ({"first": 5, "last": 5}, "first and last together"),
]


@pytest.mark.parametrize(
    "variables", [v for v, _ in BAD_PAGING], ids=[name for _, name in BAD_PAGING]
)
async def test_invalid_paging_arguments_are_bad_request(admin, variables):
    await seed_emails(admin.organization_id, [1, 2, 3])

    body = await admin.gql(EMAILS, variables)

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_REQUEST", ["emails"])
    ]


@pytest.mark.parametrize("field", ["emailThreads", "queues"])
@pytest.mark.parametrize(
    "variables",
    [
        {"after": "not a cursor"},
        {"before": cursor([WHEN])},
        {"first": 101},
        {"first": 1, "last": 1},
    ],
    ids=["garbage cursor", "short cursor", "first above the maximum", "both"],
)
async def test_other_connections_refuse_invalid_paging_too(admin, field, variables):
    await seed_emails(admin.organization_id, [1, 2])

    body = await admin.gql(CONNECTIONS[field], variables)

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_REQUEST", [field])
    ]


async def test_a_cursor_outlives_the_row_it_came_from(admin):
    # Keyset cursors hold sort values, not positions: deleting the row a cursor was
    # made from does not break or shift the next page.
    _, rows = await seed_emails(admin.organization_id, [float(i) for i in range(6)])
    expected = in_order(rows, lambda r: r.created_at, descending=True)
    page = await fetch(admin, first=2)
    await delete_email(organization_id=admin.organization_id, email_id=rows[-2].id)

    rest = await fetch(admin, first=10, after=page["pageInfo"]["endCursor"])

    assert node_ids(rest) == expected[2:]
    assert rest["totalCount"] == 5
