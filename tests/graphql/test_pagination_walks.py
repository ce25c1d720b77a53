"""Keyset cursor pagination: walks forward and backward visit every row once, and
pageInfo and totalCount tell the truth."""

import pytest

from app.mail.models import Email
from tests.factories import at, make_email, make_queue
from tests.graphql.paging import (
    fetch,
    in_order,
    joined,
    node_ids,
    seed_emails,
    tied_minutes,
    walk_backward,
    walk_forward,
)

# --- forward and backward walks ------------------------------------------------------


@pytest.mark.parametrize(("count", "size"), [(23, 5), (20, 5), (3, 10), (7, 1)])
async def test_forward_walk_lists_every_email_once_with_true_page_info(
    admin, count, size
):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(count))
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    pages = await walk_forward(admin, size)

    assert joined(pages) == expected
    assert [len(p["edges"]) for p in pages] == [
        min(size, count - i) for i in range(0, count, size)
    ]
    for i, page in enumerate(pages):
        assert page["totalCount"] == count
        assert page["pageInfo"]["hasPreviousPage"] is (i > 0)
        assert page["pageInfo"]["hasNextPage"] is (i < len(pages) - 1)


@pytest.mark.parametrize(("count", "size"), [(23, 5), (20, 5), (3, 10), (7, 1)])
async def test_backward_walk_lists_every_email_once_with_true_page_info(
    admin, count, size
):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(count))
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    pages = await walk_backward(admin, size)

    assert joined(pages) == expected
    # The last pages are full; only the first one read last may be short.
    assert [len(p["edges"]) for p in pages][::-1] == [
        min(size, count - i) for i in range(0, count, size)
    ]
    for i, page in enumerate(pages):
        assert page["totalCount"] == count
        assert page["pageInfo"]["hasPreviousPage"] is (i > 0)
        assert page["pageInfo"]["hasNextPage"] is (i < len(pages) - 1)


async def test_paging_back_from_a_page_returns_the_page_before_it(admin):
    _, rows = await seed_emails(admin.organization_id, tied_minutes(12))
    expected = in_order(rows, lambda r: r.created_at, descending=True)
    first = await fetch(admin, first=4)
    second = await fetch(admin, first=4, after=first["pageInfo"]["endCursor"])
    assert node_ids(second) == expected[4:8]

    back = await fetch(admin, last=4, before=second["pageInfo"]["startCursor"])
    assert node_ids(back) == node_ids(first) == expected[:4]
    assert back["pageInfo"]["hasPreviousPage"] is False
    assert back["pageInfo"]["hasNextPage"] is True

    # Between two cursors: only what lies strictly between them.
    inner = await fetch(
        admin,
        first=10,
        after=first["pageInfo"]["startCursor"],
        before=second["pageInfo"]["endCursor"],
    )
    assert node_ids(inner) == expected[1:7]


async def test_default_and_largest_page_sizes(admin):
    _, rows = await seed_emails(admin.organization_id, [float(i) for i in range(23)])
    expected = in_order(rows, lambda r: r.created_at, descending=True)

    default = await fetch(admin)  # no first/last: 20 rows
    assert node_ids(default) == expected[:20]
    assert default["pageInfo"]["hasNextPage"] is True

    largest = await fetch(admin, first=100)
    assert node_ids(largest) == expected
    assert largest["pageInfo"]["hasNextPage"] is False

    assert node_ids(await fetch(admin, last=100)) == expected


async def test_an_empty_result_has_no_cursors_and_no_pages(admin):
    await seed_emails(admin.organization_id, [1, 2, 3])
    for args in ({"first": 5}, {"last": 5}):
        page = await fetch(admin, filter={"subject": "nothing like this"}, **args)
        assert page == {
            "totalCount": 0,
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
            "edges": [],
        }


async def test_walk_of_a_filtered_list_counts_and_lists_only_matches(admin):
    subjects = [("invoice" if i % 3 == 0 else "other") + f" {i}" for i in range(14)]
    _, rows = await seed_emails(admin.organization_id, tied_minutes(14), subjects)
    matching = [r for r in rows if r.subject.startswith("invoice")]
    expected = in_order(matching, lambda r: r.created_at, descending=True)
    filter = {"subject": "invoice"}

    forward = await walk_forward(admin, 2, filter=filter)
    backward = await walk_backward(admin, 2, filter=filter)

    assert joined(forward) == joined(backward) == expected
    assert {p["totalCount"] for p in forward + backward} == {len(matching)}


@pytest.mark.parametrize("field", ["CREATED_AT", "SUBJECT", "LAST_THREAD_EMAIL"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_walks_follow_every_ordering_through_ties(admin, field, descending):
    org = admin.organization_id
    queue = await make_queue(org)
    rows: list[Email] = []
    # Subjects tie in threes; creation times in twos; threads get later replies, so
    # several emails share their thread's last activity.
    for i in range(16):
        thread = None
        if i % 4 == 3:
            thread = await rows[i - 2].email_thread
        rows.append(
            await make_email(
                org,
                queue.id,
                created_at=at(tied_minutes(16)[i]),
                subject=["alpha", "bravo", "charlie", "delta", "echo"][i % 5],
                thread=thread,
            )
        )
    stored = {r.id: r for r in await Email.filter(organization_id=org)}
    key = {
        "CREATED_AT": lambda r: r.created_at,
        "SUBJECT": lambda r: r.subject,
        "LAST_THREAD_EMAIL": lambda r: r.last_thread_email_created_at,
    }[field]
    expected = in_order(list(stored.values()), key, descending)
    order = {"field": field, "descending": descending}

    assert node_ids(await fetch(admin, first=100, orderBy=order)) == expected
    assert joined(await walk_forward(admin, 3, orderBy=order)) == expected
    assert joined(await walk_backward(admin, 3, orderBy=order)) == expected
