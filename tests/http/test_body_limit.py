"""Hostile request bodies: refused while they arrive (a declared size at once, a
chunked body once past the limit), deep JSON and long query strings refused, all as
JSON errors with a code, never a 500."""

import time
from collections.abc import AsyncIterator

import pytest

from app.core.limits import limits
from tests import mailcorpus as mc
from tests.helpers import auth, error_code
from tests.intake.importing import (
    IMPORT,
    intake_inbox,
    multipart_upload,
    post_multipart,
)

MB = 1024 * 1024


class Body:
    """A request body of `chunks` megabytes that counts how many the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"[" * MB


def assert_too_large(response, limit: int, size: int | None = None) -> None:
    """413 PAYLOAD_TOO_LARGE quoting the declared size, or (a chunked body, whose
    size is unknown) saying it is larger than the limit."""
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert error_code(response.json()) == "PAYLOAD_TOO_LARGE"
    message = response.json()["errors"][0]["message"]
    if size is None:
        assert f"larger than the limit of {limit} bytes" in message, message
    else:
        assert f"is {size} bytes; the limit is {limit}" in message, message


async def test_a_declared_200_mb_body_is_refused_before_it_is_read(client, settings):
    # given the default limit (MAX_MESSAGE_BYTES * 4/3 + 64 kB for JSON)
    limit = limits().max_request_bytes
    assert limit == 25 * MB * 4 // 3 + 64 * 1024
    body = Body(200)
    # when a client declares 200 MB (no token: nothing is authenticated first)
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", "Content-Length": str(200 * MB)},
    )
    elapsed = time.perf_counter() - started
    # then it is refused at once, without reading the body
    print(f"200 MB declared body refused in {elapsed * 1000:.1f} ms")
    assert_too_large(response, limit, 200 * MB)
    assert body.pulled == 0


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    admin, settings
):
    # given a 4 MB limit for JSON bodies
    settings(max_request_bytes=str(4 * MB))
    body = Body(200)
    # when a chunked body of 200 MB arrives (no Content-Length)
    response = await admin.client.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", **auth(admin.token)},
    )
    # then it is refused after the chunk that passed the limit
    assert_too_large(response, 4 * MB)
    assert body.pulled == 5


async def test_a_multipart_file_counts_against_the_message_limit(admin, settings):
    settings(max_message_bytes=str(100_000))
    await intake_inbox(admin.organization_id)

    def upload(size: int) -> dict:
        raw = mc.simple(text="x" * size)
        return multipart_upload(
            IMPORT,
            {"input": {"rawMessage": None, "recipient": mc.INBOX}},
            {"variables.input.rawMessage": ("m.eml", raw)},
        )

    # a file past the message limit but within its envelope: the mutation refuses it
    response = await post_multipart(admin, upload(120_000))
    result = response.json()["data"]["importEmail"]
    assert result["code"] == "PAYLOAD_TOO_LARGE", result
    # quoting the file's size (the parser spooled it), not how much was read
    size = len(mc.simple(text="x" * 120_000))
    assert f"is {size} bytes; the limit is 100000" in result["message"], result
    # a body past the message limit and the envelope: refused before it is read,
    # quoting its declared size
    response = await post_multipart(admin, upload(200_000))
    assert response.status_code == 413, response.text
    message = response.json()["errors"][0]["message"]
    assert f"bytes; the limit is {100_000 + 64 * 1024}" in message, message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"[" * 100_000, id="100k-open-brackets"),
        pytest.param(
            b'{"query": "{ viewer { id } }", "variables": {"v": '
            + b"[" * 65
            + b"]" * 65
            + b"}}",
            id="variables-65-deep",
        ),
    ],
)
async def test_deeply_nested_json_is_bad_request(admin, content):
    response = await admin.client.post(
        "/graphql",
        content=content,
        headers={"Content-Type": "application/json", **auth(admin.token)},
    )
    assert response.status_code == 400, response.text
    assert error_code(response.json()) == "BAD_REQUEST"
    assert "nested deeper than 64" in response.json()["errors"][0]["message"]


async def test_json_nested_within_the_limit_is_read(admin):
    nested = "[" * 60 + "]" * 60
    body = '{"query": "{ viewer { id } }", "variables": {"v": ' + nested + "}}"
    response = await admin.client.post(
        "/graphql",
        content=body.encode(),
        headers={"Content-Type": "application/json", **auth(admin.token)},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["id"]


async def test_a_long_query_string_is_refused(admin):
    query = "{ viewer { id } }" + " " * (16 * 1024)
    response = await admin.client.get(
        "/graphql", params={"query": query}, headers=auth(admin.token)
    )
    assert response.status_code == 414, response.text
    assert error_code(response.json()) == "BAD_REQUEST"
    assert "longer than the limit of 16384 bytes" in response.text
