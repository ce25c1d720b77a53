"""core.ids, the one global-id codec: what clients send is never trusted."""

import base64
import uuid

import pytest

from app.core import ids
from app.core.errors import NotFound


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_an_id_round_trips_in_relay_form():
    value = ids.encode("Email", 42)
    assert value == b64("Email:42")
    assert ids.decode(value, "Email") == 42


def test_a_task_id_is_a_uuid():
    pk = uuid.uuid4()
    assert ids.decode(ids.encode("Task", pk), "Task") == pk
    assert ids.decode(b64("Task:42"), "Task") is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64!",
        b64("Email"),  # no separator
        b64("Document:42"),  # another type
        b64("Email:-1"),
        b64("Email:4.2"),
        b64("Email:٤٢"),  # digits, but not ASCII ones
        b64(f"Email:{2**31}"),  # beyond a 32-bit key
        b64("Email:12345678901"),
        base64.b64encode(b"\xff\xfe:1").decode(),  # not UTF-8
    ],
)
def test_malformed_forged_or_foreign_ids_decode_to_nothing(value):
    assert ids.decode(value, "Email") is None


def test_a_mutation_input_id_that_is_not_one_is_not_found():
    with pytest.raises(NotFound) as caught:
        ids.decode_or_not_found(b64("Queue:1"), "Email", field="parentEmail")
    assert caught.value.field == "parentEmail"


def test_filters_keep_only_ids_of_their_type():
    values = [
        ids.encode("Email", 1),
        ids.encode("Queue", 2),
        "x",
        ids.encode("Email", 3),
    ]
    assert ids.decode_many(values, "Email") == [1, 3]
