"""statistics(filter): counts of the emails an `emails` filter matches, by delivery
status, status and type, in a fixed number of SQL statements."""

from typing import Any

from app.mail.models import DeliveryStatus, EmailStatus, EmailType
from tests.factories import make_queue, make_world
from tests.helpers import error_code, gid

STATISTICS = """query($filter: EmailFilter) { statistics(filter: $filter) {
  total
  byDeliveryStatus { deliveryStatus count }
  byStatus { status count }
  byType { type count } } }"""


def nonzero(rows: list[dict[str, Any]], key: str) -> dict[str, int]:
    return {r[key]: r["count"] for r in rows if r["count"]}


async def statistics(actor: Any, filter_: dict[str, Any] | None = None) -> dict:
    return (await actor.data(STATISTICS, {"filter": filter_}))["statistics"]


async def seed(world: Any) -> None:
    """3 incoming (one RESOLVED), 4 outgoing: 2 SENT, 1 FAILED, 1 QUEUED."""
    for status in (
        EmailStatus.UNRESOLVED,
        EmailStatus.UNRESOLVED,
        EmailStatus.RESOLVED,
    ):
        await world.email("In", status=status)
    for delivery in (
        DeliveryStatus.SENT,
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.QUEUED,
    ):
        await world.email("Out", type=EmailType.OUTGOING, delivery_status=delivery)


async def test_statistics_count_by_delivery_status_status_and_type(admin, org_b):
    # given emails of both types in one queue, and another organization's email
    world = await make_world(admin)
    await seed(world)
    await (await make_world(org_b)).email("Theirs")

    # when the statistics are asked without a filter
    stats = await statistics(admin)
    # then they count this organization's emails only, every value listed
    assert stats["total"] == 7
    assert len(stats["byDeliveryStatus"]) == len(DeliveryStatus)
    assert nonzero(stats["byDeliveryStatus"], "deliveryStatus") == {
        "SENT": 2,
        "FAILED": 1,
        "QUEUED": 1,
    }
    assert nonzero(stats["byStatus"], "status") == {"UNRESOLVED": 6, "RESOLVED": 1}
    assert nonzero(stats["byType"], "type") == {"INCOMING": 3, "OUTGOING": 4}

    # when the filter narrows them (the emails filter, all of it)
    outgoing = await statistics(admin, {"type": "OUTGOING"})
    assert outgoing["total"] == 4
    assert nonzero(outgoing["byType"], "type") == {"OUTGOING": 4}
    other_queue = await make_queue(admin.organization_id, "Empty")
    empty = await statistics(admin, {"queue": [gid("Queue", other_queue.id)]})
    assert empty["total"] == 0
    assert all(r["count"] == 0 for r in empty["byStatus"])


async def test_statistics_take_the_same_statements_for_few_and_many(admin, sql_counter):
    world = await make_world(admin)
    await seed(world)
    await admin.data("{ viewer { id } }")  # the token's first use writes once
    sql_counter.statements.clear()
    await statistics(admin, {"type": "OUTGOING"})
    few = len(sql_counter.statements)
    for _ in range(5):
        await seed(world)
    sql_counter.statements.clear()
    assert (await statistics(admin, {"type": "OUTGOING"}))["total"] == 24
    assert len(sql_counter.statements) == few
    grouped = [s for s in sql_counter.statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1, sql_counter.statements


async def test_a_bad_statistics_filter_is_bad_request_naming_it(admin):
    for filter_, word in (
        ({"messageId": ""}, "messageId"),
        ({"dateAfter": "yesterday"}, "dateAfter"),
    ):
        body = await admin.gql(STATISTICS, {"filter": filter_})
        assert body["data"] is None or body["data"]["statistics"] is None, body
        assert error_code(body) == "BAD_REQUEST", body
        assert word in body["errors"][0]["message"], body
