"""Many clients against `mailroom serve --workers 2`: throughput of 50 clients over
that of one, each sending email list pages back to back for the same window.

The server is the real command, as an operator runs it (two uvicorn worker
processes on this database); the arms alternate against the same server. A
request that fails counts against the figure: it is reported, never dropped.
"""

import asyncio
import json
import socket
import time
from dataclasses import replace

import aiohttp
import httpx

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave
from bench.list_page import seed
from bench.processes import running

CLIENTS = 50
WINDOW_SECONDS = 3.0
QUERY = """{ emails(first: 10) { totalCount edges { node {
  id subject labels documents { originalFileName } emailThread { subject }
} } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


class Tally:
    def __init__(self) -> None:
        self.errors = 0


async def _throughput(url: str, token: str, clients: int, tally: Tally) -> float:
    """Requests answered per second by `clients` looping for the window.

    The clients are aiohttp's (installed with aiobotocore, the S3 blob store's
    client): on these 2 cores the load generator shares the CPU
    with the server, and httpx spent ~7.5 ms of CPU a request with 50 connections
    (2 ms with one), as much as the server itself, so the figure measured httpx."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"query": QUERY}).encode()
    done = 0
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
        stop = time.perf_counter() + WINDOW_SECONDS

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                try:
                    async with http.post("/graphql", data=body, headers=headers) as r:
                        answer = await r.json()
                    ok = r.status == 200 and "errors" not in answer
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    done += 1
                else:
                    tally.errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return done / (time.perf_counter() - start)


async def measure(env: Env, *, rounds: int = 5) -> list[Figure]:
    await seed(env.organization_id)
    tally = Tally()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    serve = ("serve", "--port", str(port), "--workers", "2")
    with running(env, *serve, ready=lambda: _healthy(url)):
        await _throughput(url, env.token, 4, tally)  # both workers warm
        arms = await interleave(
            lambda: _throughput(url, env.token, CLIENTS, tally),
            lambda: _throughput(url, env.token, 1, tally),
            rounds=rounds,
        )
    figure = arms.figure(
        f"{CLIENTS} clients / 1 client against serve --workers 2, throughput",
        Target(">=", 1.5),
        unit="req/s",
        scale=1,
    )
    return [replace(figure, arms=f"{figure.arms}; {tally.errors} failed requests")]


async def run(engine: str) -> list[Figure]:
    async with environment(engine) as env:
        return await measure(env)
