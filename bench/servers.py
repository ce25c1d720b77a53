"""ASGI apps served by uvicorn inside the benchmark's event loop, on loopback, and
the mutations the benchmarks send them."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn


@contextlib.asynccontextmanager
async def serving(app: Any, *, lifespan: str = "on") -> AsyncIterator[str]:
    """The base URL of `app` served by uvicorn on a free port until the block ends."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan=lifespan,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def task_mutation(field: str, input_type: str) -> str:
    """A mutation whose payload is a Task or an InputError (importEmail, sendEmail…)."""
    return (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{"
        " __typename ... on Task { id } ... on InputError { code message } } }"
    )


async def start_task(
    client: httpx.AsyncClient, token: str, mutation: str, input: dict[str, Any]
) -> str:
    """Send a `task_mutation`; the id of the Task it answers (else AssertionError)."""
    response = await client.post(
        "/graphql",
        json={"query": mutation, "variables": {"input": input}},
        headers={"Authorization": f"Bearer {token}"},
    )
    (result,) = response.json()["data"].values()
    assert result["__typename"] == "Task", result
    return result["id"]
