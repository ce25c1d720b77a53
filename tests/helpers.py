"""What every test module needs to talk to the API: the Actor (a user with a token and
an HTTP client), global ids as a client sees them, one-mutation calls, the InputError
and ACCESS_FORBIDDEN checks, and waiting for something outside the test to happen."""

import asyncio
import base64
import hashlib
import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from app.accounts import service as accounts
from app.accounts.models import Role
from app.core import ids

T = TypeVar("T")

ERROR = "... on InputError { code field message }"
"""The selection every mutation document makes on its InputError branch."""


# --------------------------------------------------------------------------- actors


@dataclass
class Actor:
    """A user of an organization, with a token to call the API as them."""

    organization_id: int
    user_id: int
    token: str
    client: httpx.AsyncClient

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL document; return the whole JSON body."""
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=auth(self.token),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL document that must succeed; return its data."""
        body = await self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def add_user(self, role: Role) -> "Actor":
        """Another user of the same organization, with a token."""
        user = await accounts.create_user(
            organization_id=self.organization_id,
            email=f"{role.value.lower()}-{uuid.uuid4().hex[:8]}@example.com",
            role=role,
        )
        _, token = await accounts.create_token(user=user)
        return Actor(self.organization_id, user.id, token, self.client)


def auth(token: str) -> dict[str, str]:
    """The Authorization header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}


# ----------------------------------------------------------------------- global ids


def gid(type_name: str, pk: object) -> str:
    """The Relay global id of a row: base64 of "TypeName:pk"."""
    return ids.encode(type_name, pk)


def gid_of(row: Any) -> str:
    """The global id of a model instance, named after its class."""
    return gid(type(row).__name__, row.pk)


def pk_of(global_id: str) -> Any:
    """The primary key in a global id: an int, or the UUID string of a Task."""
    raw = base64.b64decode(global_id).decode().split(":", 1)[1]
    return int(raw) if raw.isdigit() else raw


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------ mutations


async def mutate(
    actor: Any, document: str, variables: dict[str, Any] | None = None
) -> dict:
    """Post a one-mutation document that must not raise; return its result object."""
    data = await actor.data(document, variables)
    [result] = data.values()
    return result


def assert_input_error(result: dict, code: str, field: str | None) -> None:
    """The mutation answered an InputError with this code and field, and says why."""
    assert result["__typename"] == "InputError", result
    assert (result["code"], result["field"]) == (code, field), result
    assert result["message"]


def error_code(body: dict[str, Any]) -> str:
    """The code of the first GraphQL error of a response body."""
    return body["errors"][0]["extensions"]["code"]


def assert_forbidden(body: dict) -> None:
    """The whole operation was refused as ACCESS_FORBIDDEN, with no data."""
    assert body["data"] is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"], (
        body
    )


# -------------------------------------------------------------------------- waiting


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.2,
    what: str = "the condition",
) -> T:
    """Call `probe` until it returns something other than None (or False), at most
    `timeout` seconds; return that. Exceptions from `probe` propagate."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(interval)


def unused_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def request_logged(caplog: Any, path: str) -> logging.LogRecord:
    """The request log line of `path`, once the server has written it (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            for record in caplog.records:
                fields = getattr(record, "fields", {})
                if record.name == "mailroom.http" and fields.get("path") == path:
                    return record
            await asyncio.sleep(0.05)
