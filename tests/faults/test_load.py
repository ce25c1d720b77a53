"""100 concurrent clients for 60 s against the real `mailroom serve` and `mailroom
worker` processes: no error of any kind (no 5xx, no GraphQL error, no dropped
connection), and every import they submitted succeeds. Throughput and latency go to
the run's summary; the targets for speed live in bench/, not here."""

import asyncio
import base64
import statistics
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INBOX
from tests.e2e.harness import Stack, Tenant, wait_until
from tests.faults.batch import message

CLIENTS = 100
SECONDS = 60.0
EMAILS = {"query": "{ emails(first: 20) { totalCount nodes { id subject } } }"}
VIEWER = {"query": "{ viewer { id organization { name } } }"}
IMPORT = (
    "mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,"
    f' recipient: "{INBOX}"}}) {{ __typename ... on Task {{ id }} }} }}'
)
UNFINISHED = (
    "{ tasks(filter: {kind: [IMPORT_EMAIL], status: [QUEUED, RUNNING]}) { totalCount }"
    " done: tasks(filter: {kind: [IMPORT_EMAIL], status: [SUCCEEDED]}) { totalCount } }"
)


class Load:
    """What the clients saw: latencies, and every answer that was not a clean 200."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.imports: list[str] = []

    def check(self, response: httpx.Response, started: float) -> dict[str, Any]:
        self.latencies.append(time.monotonic() - started)
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            self.errors[f"{response.status_code} {response.text[:120]}"] += 1
        return body.get("data") or {}


async def _client(n: int, http: httpx.AsyncClient, load: Load, until: float) -> None:
    i = 0
    while time.monotonic() < until:
        i += 1
        started = time.monotonic()
        try:
            if i % 10 == 0:  # one request in ten imports a message of its own
                raw = base64.b64encode(message(n * 10_000 + i)).decode()
                body = {"query": IMPORT, "variables": {"raw": raw}}
                data = load.check(await http.post("/graphql", json=body), started)
                if (data.get("importEmail") or {}).get("__typename") == "Task":
                    load.imports.append(data["importEmail"]["id"])
            else:
                query = VIEWER if i % 3 == 0 else EMAILS
                load.check(await http.post("/graphql", json=query), started)
        except httpx.TransportError as exc:
            load.errors[f"dropped {type(exc).__name__}"] += 1


async def _run(base_url: str, token: str) -> Load:
    load = Load()
    until = time.monotonic() + SECONDS
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        limits=httpx.Limits(max_connections=CLIENTS),
    ) as http:
        await asyncio.gather(*(_client(n, http, load, until) for n in range(CLIENTS)))
    return load


def _in_thread(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: pytest-asyncio's loop stays untouched."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join(SECONDS * 3)
    assert result, "the load run did not finish"
    return result[0]


@pytest.fixture(scope="module")
def api_token(stack: Stack, tenant: Tenant) -> str:
    # The rate limits protect a shared API from one client; here one token and
    # one address are the whole crowd, so they are raised out of the way.
    stack.env.update(
        RATE_LIMIT_PER_MINUTE="1000000", RATE_LIMIT_PER_IP_PER_MINUTE="1000000"
    )
    stack.start_serve()
    stack.start_worker()
    return tenant.token


def test_100_concurrent_clients_for_60_s_get_no_error(
    stack: Stack,
    api_token: str,
    figures,
):
    load = _in_thread(_run(stack.base_url, api_token))
    api = stack.api(api_token)

    def imports_done() -> dict[str, Any] | None:
        data = api.data(UNFINISHED)
        return data if data["tasks"]["totalCount"] == 0 else None

    latencies = sorted(load.latencies)
    figures(
        "100 clients for 60 s (serve + worker processes)",
        f"{len(latencies)} requests, {len(latencies) / SECONDS:.0f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
        f"{sum(load.errors.values())} errors, {len(load.imports)} imports",
    )
    assert not load.errors, load.errors.most_common(5)
    assert load.imports
    done = wait_until(imports_done, timeout=120, what="every import finished")
    assert done["done"]["totalCount"] == len(load.imports)
