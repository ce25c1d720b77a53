"""Every mutation takes one `input:` argument. The ones that took `id:` (cancelEmail,
resendEmail, markThreadRead, revokeApiToken, deleteEmail, cancelTask) take
`input: {id}`; `id:` still works for one release, deprecated. Exactly one of the
two: both or neither is an InputError on `input`, and nothing changes."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Role
from app.mail.models import DeliveryStatus, Email, EmailThread, EmailType
from app.tasks.models import Task, TaskKind, TaskStatus
from tests.factories import make_world
from tests.helpers import ERROR, assert_input_error, gid, mutate


@dataclass
class Form:
    name: str
    input_type: str
    type_name: str
    # a new target: its global id, and a reader of the state the mutation changes
    make: Callable[[Any, Any], Awaitable[tuple[str, Callable[[], Awaitable[Any]]]]]


async def _outgoing(world: Any, status: DeliveryStatus) -> Email:
    return await world.email("Out", type=EmailType.OUTGOING, delivery_status=status)


async def queued_email(admin: Any, world: Any):
    email = await _outgoing(world, DeliveryStatus.QUEUED)

    async def state() -> Any:
        return (await Email.get(id=email.id)).delivery_status

    return gid("Email", email.id), state


async def failed_email(admin: Any, world: Any):
    email = await _outgoing(world, DeliveryStatus.FAILED)
    await Task.create(
        organization_id=admin.organization_id,
        kind=TaskKind.SEND_EMAIL,
        email_id=email.id,
        status=TaskStatus.FAILED,
        payload={"html": "", "text": "hello"},
    )

    async def state() -> Any:
        return (await Email.get(id=email.id)).delivery_status

    return gid("Email", email.id), state


async def unread_thread(admin: Any, world: Any):
    email = await world.email("In")
    await EmailThread.filter(id=email.email_thread_id).update(has_new_replies=True)

    async def state() -> Any:
        return (await EmailThread.get(id=email.email_thread_id)).has_new_replies

    return gid("EmailThread", email.email_thread_id), state


async def api_token(admin: Any, world: Any):
    user = await accounts.create_user(
        organization_id=admin.organization_id,
        email=f"t{uuid.uuid4().hex[:8]}@acme.test",
        role=Role.VIEWER,
    )
    row, _ = await accounts.create_token(user=user)

    async def state() -> Any:
        return (await ApiToken.get(id=row.id)).revoked_at is None

    return gid("ApiToken", row.id), state


async def any_email(admin: Any, world: Any):
    email = await world.email("Gone")

    async def state() -> Any:
        return await Email.exists(id=email.id)

    return gid("Email", email.id), state


async def queued_task(admin: Any, world: Any):
    task = await Task.create(
        organization_id=admin.organization_id, kind=TaskKind.ATTACH_EMAIL, payload={}
    )

    async def state() -> Any:
        return (await Task.get(id=task.id)).status

    return gid("Task", task.id), state


FORMS = [
    Form("cancelEmail", "CancelEmailInput", "Email", queued_email),
    Form("resendEmail", "ResendEmailInput", "Email", failed_email),
    Form("markThreadRead", "MarkThreadReadInput", "EmailThread", unread_thread),
    Form("revokeApiToken", "RevokeApiTokenInput", "ApiToken", api_token),
    Form("deleteEmail", "DeleteEmailInput", "Email", any_email),
    Form("cancelTask", "CancelTaskInput", "Task", queued_task),
]


def document(form: Form, arguments: str = "", variables: str = "") -> str:
    head = f"mutation({variables})" if variables else "mutation"
    call = f"{form.name}({arguments})" if arguments else form.name
    return f"{head} {{ {call} {{ __typename {ERROR} }} }}"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
async def test_input_form_the_deprecated_id_form_and_exactly_one_of_them(admin, form):
    world = await make_world(admin)
    new = document(form, "input: $input", f"$input: {form.input_type}")
    old = document(form, "id: $id", "$id: ID!")
    both = document(
        form, "input: $input, id: $id", f"$input: {form.input_type}, $id: ID"
    )

    # when both forms are given, or neither, for the same target
    target, state = await form.make(admin, world)
    before = await state()
    for query, variables in (
        (both, {"input": {"id": target}, "id": target}),
        (document(form), {}),
    ):
        result = await mutate(admin, query, variables)
        # then it is an InputError on input, and nothing changed
        assert_input_error(result, "BAD_REQUEST", "input")
        assert await state() == before

    # when input names something that does not exist
    result = await mutate(admin, new, {"input": {"id": gid(form.type_name, 987654)}})
    assert_input_error(result, "NOT_FOUND", "id")
    assert await state() == before

    # when input: {id} names the target, it is done
    result = await mutate(admin, new, {"input": {"id": target}})
    assert result["__typename"] != "InputError", result
    assert await state() != before

    # and the deprecated id: still does it, on another target
    other, other_state = await form.make(admin, world)
    result = await mutate(admin, old, {"id": other})
    assert result["__typename"] != "InputError", result
    assert await other_state() != before


async def test_the_id_arguments_are_deprecated_in_the_schema(admin):
    query = """{ __type(name: "Mutation") { fields { name
      args(includeDeprecated: true) { name isDeprecated deprecationReason } } } }"""
    fields = {
        f["name"]: {a["name"]: a for a in f["args"]}
        for f in (await admin.data(query))["__type"]["fields"]
    }
    for form in FORMS:
        args = fields[form.name]
        assert set(args) == {"input", "id"}, form.name
        assert args["id"]["isDeprecated"] and "input" in args["id"]["deprecationReason"]
        assert not args["input"]["isDeprecated"]
    # and every other mutation takes exactly one argument, input
    for name, args in fields.items():
        if name not in {f.name for f in FORMS}:
            assert set(args) == {"input"}, name
