"""Real servers the outage tests stop and start: a private redis-server, a private
PostgreSQL cluster (never the shared ones), and the app served by uvicorn on a port,
so dropped connections would show as such."""

import asyncio
import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn

from tests.helpers import unused_port

STEP_TIMEOUT = 15.0


class RedisProcess:
    """redis-server on a port of its own, without persistence."""

    def __init__(self) -> None:
        self.port = unused_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not on PATH"
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=STEP_TIMEOUT)
            self._process = None


class PostgresCluster:
    """A private PostgreSQL cluster (pg_createcluster), trust auth on loopback."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.name = f"mrfault{uuid.uuid4().hex[:8]}"
        self.port = unused_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(
            command, check=True, capture_output=True, timeout=STEP_TIMEOUT * 2
        )

    def create(self) -> None:
        self._run(
            "pg_createcluster", self.version, self.name, "-p", str(self.port),
            "--", "--auth=trust",
        )  # fmt: skip

    def start(self) -> None:
        self._run("pg_ctlcluster", self.version, self.name, "start")
        _wait_for_port(self.port)

    def stop(self) -> None:
        self._run("pg_ctlcluster", self.version, self.name, "stop", "-m", "fast")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, self.name],
            capture_output=True,
            timeout=STEP_TIMEOUT * 2,
        )


def _wait_for_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), 0.2),
        ):
            return
        assert time.monotonic() < deadline, f"nothing listens on {port}"
        time.sleep(0.05)


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app (its lifespan already run) behind uvicorn; a client for it."""
    port = unused_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(STEP_TIMEOUT):
        while not server.started:  # noqa: ASYNC110 (uvicorn sets a flag, no event)
            await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=STEP_TIMEOUT
        ) as client:
            yield client
    finally:
        server.should_exit = True
        async with asyncio.timeout(STEP_TIMEOUT):
            await task


class Tally:
    """What a poller got during an outage: status and code per answer, or the
    transport error (a dropped connection)."""

    def __init__(self) -> None:
        self.answers: list[str] = []

    def record(self, response: httpx.Response | Exception) -> None:
        if isinstance(response, Exception):
            self.answers.append(f"dropped:{type(response).__name__}")
            return
        code = None
        if response.headers.get("content-type", "").startswith("application/json"):
            errors = response.json().get("errors") or [{}]
            code = (errors[0].get("extensions") or {}).get("code")
        retry = "retry" if response.headers.get("retry-after") else "no-retry"
        self.answers.append(f"{response.status_code}:{code}:{retry}")

    async def poll(self, request: Any, seconds: float, pause: float = 0.02) -> None:
        """Send `request()` again and again for `seconds`, recording each answer."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            try:
                self.record(await request())
            except httpx.TransportError as exc:
                self.record(exc)
            await asyncio.sleep(pause)

    @property
    def unavailable_share(self) -> float:
        good = self.answers.count("503:SERVICE_UNAVAILABLE:retry")
        return good / len(self.answers) if self.answers else 0.0

    @staticmethod
    def bad_of(answers: list[str]) -> list[str]:
        """500s and dropped connections: what an outage must never give."""
        return [a for a in answers if a.startswith(("dropped", "500"))]


async def until_ok(post: Any, within: float = STEP_TIMEOUT) -> httpx.Response:
    """Poll until an answer is 200 (recovery), within `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            response = await post()
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the API did not recover"
        await asyncio.sleep(0.1)
