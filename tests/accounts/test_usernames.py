"""User.username through createUser/updateUser: the default from the email, unique
in the organization, and the InputErrors for a taken or invalid one."""

import pytest

from app.accounts.models import User
from tests.graphql.mutation_documents import CREATE_USER
from tests.helpers import ERROR, assert_input_error, gid, mutate

UPDATE_USER = f"""mutation($input: UpdateUserInput!) {{ updateUser(input: $input) {{
  __typename ... on User {{ id username fullName }} {ERROR} }} }}"""


async def create(actor, email: str, **extra) -> dict:
    return await mutate(actor, CREATE_USER, {"input": {"email": email, **extra}})


async def test_default_username_is_the_local_part_numbered_when_taken(admin, make_org):
    # when three users with the same local part are created, two in one org
    first = await create(admin, "Jane.Doe@a.example")
    second = await create(admin, "jane.doe@b.example")
    other = await make_org("Other")
    elsewhere = await create(other, "jane.doe@c.example")
    odd = await create(admin, "o'brien+tag@a.example")
    # then the local part is the username, numbered within one organization only
    assert [r["username"] for r in (first, second, elsewhere, odd)] == [
        "jane.doe",
        "jane.doe-2",
        "jane.doe",
        "o-brien-tag",
    ]


async def test_create_and_update_set_a_chosen_username(admin):
    # when a user is created with a username, then renamed
    created = await create(admin, "x@acme.example", username=" Sam_Sender ")
    assert created["username"] == "sam_sender"
    updated = await mutate(
        admin,
        UPDATE_USER,
        {"input": {"id": created["id"], "username": "sam", "fullName": "Sam S"}},
    )
    # then the new values are stored
    assert (updated["username"], updated["fullName"]) == ("sam", "Sam S")
    row = await User.get(email="x@acme.example")
    assert (row.username, row.full_name) == ("sam", "Sam S")


INVALID = ["", "-sam", "sam-", "sa m", "sam@x", "é", "s" * 65, "a\r\nb"]


@pytest.mark.parametrize("username", INVALID)
async def test_invalid_usernames_are_refused(admin, username):
    # when a user is created, or one renamed, with an invalid username
    created = await create(admin, "y@acme.example", username=username)
    user = await create(admin, "z@acme.example")
    updated = await mutate(
        admin, UPDATE_USER, {"input": {"id": user["id"], "username": username}}
    )
    # then both are BAD_REQUEST on username, and nothing changed
    assert_input_error(created, "BAD_REQUEST", "username")
    assert_input_error(updated, "BAD_REQUEST", "username")
    assert not await User.filter(email="y@acme.example").exists()
    assert (await User.get(email="z@acme.example")).username == "z"


async def test_a_taken_username_is_a_conflict(admin, make_org):
    # given users "sam" and "kim" in the organization, and "kim" elsewhere too
    await create(admin, "sam@acme.example")
    kim = await create(admin, "kim@acme.example")
    other = await make_org("Other")
    theirs = await create(other, "x@other.example", username="sam")
    # when another user is created as "sam", or kim renamed to "sam"
    created = await create(admin, "sam2@acme.example", username="SAM")
    renamed = await mutate(
        admin, UPDATE_USER, {"input": {"id": kim["id"], "username": "sam"}}
    )
    # then both are CONFLICT on username; another organization's "sam" was fine
    assert theirs["username"] == "sam"
    assert_input_error(created, "CONFLICT", "username")
    assert_input_error(renamed, "CONFLICT", "username")
    assert not await User.filter(email="sam2@acme.example").exists()
    assert (await User.get(email="kim@acme.example")).username == "kim"


async def test_update_user_of_another_organization_is_not_found(admin, make_org):
    other = await make_org("Other")
    theirs = await create(other, "x@other.example")
    for user_id in (theirs["id"], gid("User", 999_999)):
        result = await mutate(
            admin, UPDATE_USER, {"input": {"id": user_id, "username": "mine"}}
        )
        assert_input_error(result, "NOT_FOUND", "id")
    assert (await User.get(email="x@other.example")).username == "x"
