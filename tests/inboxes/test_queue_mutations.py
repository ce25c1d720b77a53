"""createQueue and updateQueue: what they store, and the InputErrors a caller can
fix."""

import pytest

from app.core import ids
from app.inboxes.models import Queue
from tests.graphql.mutation_documents import CREATE_QUEUE
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

UPDATE_QUEUE = f"""mutation($id: ID!, $name: String) {{
  updateQueue(input: {{id: $id, name: $name}}) {{
    __typename ... on Queue {{ id name }} {ERROR} }} }}"""


async def test_create_queue_stores_a_trimmed_name(admin):
    # when an admin creates a queue
    result = await mutate(admin, CREATE_QUEUE, {"name": "  Invoices  "})
    # then it comes back as a Queue, and is stored in the admin's organization
    assert result["__typename"] == "Queue"
    assert result["name"] == "Invoices" and result["inboxes"] == []
    row = await Queue.get(id=ids.decode(result["id"], "Queue"))
    assert (row.name, row.organization_id) == ("Invoices", admin.organization_id)


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 201], ids=["empty", "blank", "too-long"]
)
async def test_create_queue_refuses_a_bad_name(admin, name):
    # when an admin creates a queue with a name that is empty or too long
    result = await mutate(admin, CREATE_QUEUE, {"name": name})
    # then it is an InputError on "name", and no queue exists
    assert_input_error(result, "BAD_REQUEST", "name")
    assert await Queue.filter(organization_id=admin.organization_id).count() == 0


async def test_update_queue_renames_it(admin, queue):
    # when the admin renames the queue
    result = await mutate(
        admin, UPDATE_QUEUE, {"id": gid_of(queue), "name": "Receipts"}
    )
    # then the new name is returned and stored
    assert result == {"__typename": "Queue", "id": gid_of(queue), "name": "Receipts"}
    assert (await Queue.get(id=queue.id)).name == "Receipts"


async def test_update_queue_without_a_name_changes_nothing(admin, queue):
    # when the admin updates the queue giving no name
    result = await mutate(admin, UPDATE_QUEUE, {"id": gid_of(queue), "name": None})
    # then the queue is returned as it was
    assert result["name"] == "Invoices"
    assert (await Queue.get(id=queue.id)).name == "Invoices"


@pytest.mark.parametrize("name", ["", "  \t "], ids=["empty", "blank"])
async def test_update_queue_refuses_an_empty_name(admin, queue, name):
    # when the admin renames the queue to nothing
    result = await mutate(admin, UPDATE_QUEUE, {"id": gid_of(queue), "name": name})
    # then it is an InputError on "name", and the name is unchanged
    assert_input_error(result, "BAD_REQUEST", "name")
    assert (await Queue.get(id=queue.id)).name == "Invoices"


async def test_update_queue_of_an_unknown_id_is_not_found(admin):
    result = await mutate(
        admin, UPDATE_QUEUE, {"id": ids.encode("Queue", 424242), "name": "X"}
    )
    assert_input_error(result, "NOT_FOUND", "id")
