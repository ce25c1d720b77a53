"""Import end to end: a batch of importEmail requests sent at once over uvicorn, then
`mailroom worker` in its own process, as deployed (its parse processes, documents,
annotations, threading), until every task SUCCEEDED, in messages a second, against
the standard library parsing the same messages in this one process
(`BytesParser(policy=default)`, every leaf part decoded).

Figure: end-to-end rate / parse-only rate (≥ 0.5×); also the CPU the import used
(the API and client in this process, the worker and its parse processes) per second
of wall time (≥ 1.4 of 2 cores).
"""

import asyncio
import base64
import os
import random
import time
from email import policy
from email.parser import BytesParser

import httpx
import psutil

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave, summarize
from bench.processes import cpu_seconds, running, worker_beating
from bench.servers import serving, start_task, task_mutation

INBOX = "bench-import@example.com"
MESSAGES_PER_ROUND = 24
MUTATION = task_mutation("importEmail", "ImportEmailInput")


def message(tag: str, attachment_bytes: int = 60_000) -> bytes:
    """An everyday message: plain and HTML bodies and one PDF attachment."""
    pdf = b"%PDF-1.4\n" + random.Random(tag).randbytes(attachment_bytes)
    return (
        (
            "From: Supplier <billing@supplier.example>\r\n"
            f"To: {INBOX}\r\nSubject: Invoice {tag}\r\n"
            f"Message-ID: <inv-{tag}@supplier.example>\r\n"
            "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="OUT"\r\n\r\n'
            '--OUT\r\nContent-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
            "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Please find invoice {tag} attached.\r\n"
            "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<p>Please find invoice <b>{tag}</b> attached.</p>\r\n--ALT--\r\n"
            "--OUT\r\nContent-Type: application/pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="invoice-{tag}.pdf"\r\n\r\n'
        ).encode()
        + base64.encodebytes(pdf)
        + b"--OUT--\r\n"
    )


def parse_only(raw: bytes) -> None:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    for part in parsed.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)


async def measure(env: Env, *, rounds: int = 5) -> list[Figure]:
    from app.inboxes.models import Inbox, Queue
    from app.main import create_app
    from app.tasks.models import Task, TaskStatus

    queue = await Queue.create(organization_id=env.organization_id, name="bench")
    await Inbox.create(organization_id=env.organization_id, queue=queue, email=INBOX)
    counter = iter(range(10**6))
    busy: list[float] = []
    everything = psutil.Process()  # this process and its children, the worker's too

    async with serving(create_app()) as url, httpx.AsyncClient(base_url=url) as client:

        async def accept(raw: bytes) -> str:
            base64_raw = base64.b64encode(raw).decode()
            input = {"rawMessageBase64": base64_raw, "recipient": INBOX}
            return await start_task(client, env.token, MUTATION, input)

        async def product() -> float:
            batch = [message(f"p{next(counter)}") for _ in range(MESSAGES_PER_ROUND)]
            cpu, start = cpu_seconds(everything), time.perf_counter()
            await asyncio.gather(*(accept(raw) for raw in batch))
            done = TaskStatus.SUCCEEDED, TaskStatus.FAILED
            while await Task.filter(status__not_in=done).exists():  # noqa: ASYNC110 (a client polls)
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - start
            busy.append((cpu_seconds(everything) - cpu) / elapsed)
            assert not await Task.filter(status=TaskStatus.FAILED).exists()
            return MESSAGES_PER_ROUND / elapsed

        async def bare() -> float:
            batch = [message(f"b{next(counter)}") for _ in range(MESSAGES_PER_ROUND)]
            start = time.perf_counter()
            for raw in batch:
                parse_only(raw)
            return MESSAGES_PER_ROUND / (time.perf_counter() - start)

        with running(env, "worker", ready=worker_beating):
            arms = await interleave(product, bare, rounds=rounds)
    rate = arms.figure(
        "import end to end / stdlib parse-only rate",
        Target(">=", 0.5),
        unit="msg/s",
        scale=1,
    )
    cores = summarize(
        f"import: cores busy (of {os.cpu_count()})",
        busy[-rounds:],
        Target(">=", 1.4),
        arms="CPU seconds / wall second: API, client, worker and parse processes",
    )
    return [rate, cores]


async def run(engine: str) -> list[Figure]:
    async with environment(engine) as env:
        return await measure(env)
