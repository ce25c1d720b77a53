"""createUser: role and normalized email, and the InputErrors a caller can fix."""

import pytest

from app.accounts.models import Role, User
from app.core import ids
from tests.graphql.mutation_documents import CREATE_USER
from tests.helpers import assert_input_error, mutate


async def test_create_user_stores_role_and_normalized_email(admin):
    # when an admin creates a manager
    result = await mutate(
        admin,
        CREATE_USER,
        {
            "input": {
                "email": " Jane.Doe@Acme.Example ",
                "fullName": "Jane Doe",
                "role": "MANAGER",
            }
        },
    )
    # then the user comes back in the admin's organization, with a lower-cased email
    assert result["__typename"] == "User", result
    assert (
        result["email"],
        result["fullName"],
        result["role"],
        result["isActive"],
    ) == ("jane.doe@acme.example", "Jane Doe", "MANAGER", True)
    assert result["organization"]["id"] == ids.encode(
        "Organization", admin.organization_id
    )
    row = await User.get(id=ids.decode(result["id"], "User"))
    assert (row.email, row.role, row.organization_id) == (
        "jane.doe@acme.example",
        Role.MANAGER,
        admin.organization_id,
    )


async def test_create_user_defaults_to_viewer(admin):
    result = await mutate(admin, CREATE_USER, {"input": {"email": "v@acme.example"}})
    assert result["role"] == "VIEWER"
    assert (await User.get(email="v@acme.example")).role == Role.VIEWER


async def test_create_user_refuses_a_taken_email_whatever_its_case(admin):
    # given a user jane@acme.example
    first = await mutate(admin, CREATE_USER, {"input": {"email": "jane@acme.example"}})
    assert first["__typename"] == "User"
    # when another is created as JANE@acme.example
    result = await mutate(
        admin, CREATE_USER, {"input": {"email": "JANE@acme.example", "role": "ADMIN"}}
    )
    # then it is a CONFLICT on "email", and the first user keeps its role
    assert_input_error(result, "CONFLICT", "email")
    assert await User.filter(email="jane@acme.example").values_list(
        "role", flat=True
    ) == [Role.VIEWER]


@pytest.mark.parametrize(
    "address", ["jane", "jane@", "jane@acme", "", "a@b.c\nBcc: x@y.z"]
)
async def test_create_user_refuses_a_bad_email(admin, address):
    before = await User.all().count()
    result = await mutate(admin, CREATE_USER, {"input": {"email": address}})
    assert_input_error(result, "BAD_REQUEST", "email")
    assert await User.all().count() == before


async def test_create_user_refuses_an_unknown_role(admin):
    # when a role outside the enum is sent
    body = await admin.gql(
        'mutation { createUser(input: {email: "x@acme.example", role: OWNER}) '
        "{ __typename } }"
    )
    # then the document does not validate
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert not await User.filter(email="x@acme.example").exists()
