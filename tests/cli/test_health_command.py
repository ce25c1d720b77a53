"""`mailroom health api|worker|smtpd`: exit 0 when the service answers, else exit 1
with one line saying why. Real servers: aiosmtpd, an arq worker, a stdlib HTTP
server. Commands that need this loop's servers run in a thread (they call
asyncio.run themselves)."""

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app import cli
from app.settings import get_settings
from app.tasks.queue import queue_name


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli.app, list(args))


def assert_healthy(result: Result, *words: str) -> None:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith("ok: ") and len(result.stdout.splitlines()) == 1
    for word in words:
        assert word in result.stdout


def assert_unhealthy(result: Result, *words: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- smtpd ---------------------------------------------------------------------


async def test_smtpd_is_healthy_when_it_greets_with_220(smtp_sink):
    # Given a real aiosmtpd server
    port = urlparse(os.environ["MAIL_URL"]).port

    # When it is checked
    result = await asyncio.to_thread(
        invoke, "health", "smtpd", "--host", "127.0.0.1", "--port", str(port)
    )

    # Then it is healthy, and no mail was sent
    assert_healthy(result, f"127.0.0.1:{port}", "220")
    assert smtp_sink.received == [] and smtp_sink.attempts == 0


async def test_smtpd_that_greets_with_something_else_is_unhealthy():
    # Given a server that refuses service in its banner
    async def refuse(reader, writer):
        writer.write(b"554 5.3.2 Not accepting mail now\r\n")
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        # When it is checked
        result = await asyncio.to_thread(invoke, "health", "smtpd", "--port", str(port))
    finally:
        server.close()
        await server.wait_closed()

    # Then it is unhealthy, quoting the banner
    assert_unhealthy(result, "554", "Not accepting mail now", "not 220")


def test_smtpd_not_listening_is_unhealthy(closed_port):
    result = invoke("health", "smtpd", "--port", str(closed_port))
    assert_unhealthy(result, f"127.0.0.1:{closed_port}", "Connection refused")


# --- worker --------------------------------------------------------------------


async def test_worker_is_healthy_while_its_health_key_is_fresh(redis, run_jobs):
    # Given no worker has run on this test's queue
    key = f"{queue_name()}:health-check"
    assert await redis.get(key) is None
    before = await asyncio.to_thread(invoke, "health", "worker")

    # When a real arq worker (the app's options) runs once
    await run_jobs()

    # Then it is healthy, reporting the worker's own health line
    after = await asyncio.to_thread(invoke, "health", "worker")
    assert_unhealthy(before, queue_name(), "missing or expired")
    assert_healthy(after, queue_name(), "j_complete=")

    # And the key lives only a short health_check_interval (arq's default: 1 h)
    assert 0 < await redis.pttl(key) <= 16_000


def test_worker_with_unreachable_redis_is_unhealthy(settings, closed_port):
    # Given a REDIS_URL nothing answers on
    settings(redis_url=f"redis://:secret@127.0.0.1:{closed_port}/0")
    from app.core.redis import arq_settings

    arq_settings.cache_clear()
    try:
        result = invoke("health", "worker")
    finally:
        get_settings.cache_clear()
        arq_settings.cache_clear()

    # Then it is unhealthy (exit 1, never 2: Docker reserves 2), no password shown
    assert_unhealthy(result, "Redis is not reachable", "Connection refused")
    assert "secret" not in result.stderr


def test_bad_settings_make_a_health_check_exit_1_not_2(monkeypatch, settings):
    settings(redis_url="http://nope", max_message_bytes="lots")
    try:
        invalid = invoke("health", "worker")
        monkeypatch.delenv("MAX_MESSAGE_BYTES")
        get_settings.cache_clear()
        unsupported = invoke("health", "worker")
    finally:
        get_settings.cache_clear()
    assert_unhealthy(invalid, "MAX_MESSAGE_BYTES='lots'")
    assert_unhealthy(unsupported, "REDIS_URL='http://nope' is not supported")


# --- api -----------------------------------------------------------------------


class _Readyz(BaseHTTPRequestHandler):
    """200 on /readyz; 503 with readyz's body on /down/readyz."""

    def do_GET(self) -> None:
        if self.path == "/readyz":
            status, body = 200, b'{"status": "ok"}'
        elif self.path == "/down/readyz":
            status, body = 503, b'{"status": "unavailable", "redis": "down"}'
        else:
            status, body = 404, b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Readyz)
    # A short poll interval: shutdown() waits for the loop's next poll.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_api_answering_200_on_readyz_is_healthy(http_server):
    result = invoke("health", "api", "--url", http_server + "/")
    assert_healthy(result, f"{http_server}/readyz", "200")


def test_api_defaults_to_public_url(http_server, settings):
    settings(public_url=http_server)
    try:
        result = invoke("health", "api")
    finally:
        get_settings.cache_clear()
    assert_healthy(result, f"{http_server}/readyz")


def test_api_not_ready_is_unhealthy_with_the_reason(http_server):
    result = invoke("health", "api", "--url", f"{http_server}/down")
    assert_unhealthy(result, "answered 503", '"redis": "down"')


def test_api_not_listening_is_unhealthy(closed_port):
    result = invoke("health", "api", "--url", f"http://127.0.0.1:{closed_port}")
    assert_unhealthy(result, "is not reachable", "Connection refused")
