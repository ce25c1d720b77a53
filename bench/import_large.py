"""Importing a 25 MB message.

Figures: importEmail accepting 25 MB against 25 kB, interleaved, by base64 variable
(≤ 5×) and by multipart upload (≤ 3×): it only stores the bytes and enqueues, so
its cost should hardly grow with the size; the import job's peak memory growth
against the message size, in the parse child (≤ 3×) and in the worker (≤ 10×), one
measurement each (a memory peak is not a timing: it does not need rounds).
"""

import base64
import json
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.env import Env, environment
from bench.harness import Figure, Target, interleave, summarize
from bench.servers import task_mutation

MESSAGE_BYTES = 25 * 1000 * 1000
SMALL_BYTES = 25 * 1000
INBOX = "bench-inbox@example.com"

MUTATION = task_mutation("importEmail", "ImportEmailInput")


def build_message(total: int, tag: str) -> tuple[bytes, bytes]:
    """A well-formed message of about `total` bytes: text part + one base64 PDF."""
    size = int(total * 0.74)  # base64 with line breaks grows 4/3 and 1/76
    attachment = b"%PDF-1.4\n" + random.Random(tag).randbytes(size - 9)
    head = (
        "From: Big Sender <big@example.com>\r\n"
        f"To: {INBOX}\r\nSubject: Large scan {tag}\r\n"
        f"Message-ID: <big-{tag}@example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="BIG"\r\n\r\n'
        "--BIG\r\nContent-Type: text/plain\r\n\r\nlarge file\r\n"
        "--BIG\r\nContent-Type: application/pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="large.pdf"\r\n\r\n'
    ).encode()
    return head + base64.encodebytes(attachment) + b"--BIG--\r\n", attachment


def _vm_kib(pid: int, field: str) -> int | None:
    """VmHWM (peak RSS) or VmRSS of a process, in KiB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _parse_child_pid() -> int | None:
    """The one parse process (PARSE_PROCESSES=1 here), once it has started."""
    from app.intake import parse_runner

    for child in parse_runner._children._all:
        pool = child._pool
        for process in getattr(pool, "_processes", {}).values() if pool else ():
            return process.pid
    return None


def _request(client: Any, token: str, raw: bytes, *, upload: bool) -> Any:
    """The importEmail request for `raw`, its body encoded now (JSON of the base64,
    or the multipart body): the bytes a client sends, made before the clock starts,
    so the figure is the server's."""
    headers = {"Authorization": f"Bearer {token}"}
    if upload:
        operations = json.dumps(
            {
                "query": MUTATION,
                "variables": {"input": {"rawMessage": None, "recipient": INBOX}},
            }
        )
        body: dict[str, Any] = {
            "data": {
                "operations": operations,
                "map": json.dumps({"0": ["variables.input.rawMessage"]}),
            },
            "files": {"0": ("big.eml", raw, "message/rfc822")},
        }
        headers["GraphQL-Preflight"] = "1"
    else:
        body = {
            "json": {
                "query": MUTATION,
                "variables": {
                    "input": {
                        "rawMessageBase64": base64.b64encode(raw).decode(),
                        "recipient": INBOX,
                    }
                },
            }
        }
    request = client.build_request("POST", "/graphql", headers=headers, **body)
    request.read()
    return request


async def _accept(client: Any, token: str, raw: bytes, *, upload: bool) -> float:
    request = _request(client, token, raw, upload=upload)
    start = time.perf_counter()
    response = await client.send(request)
    elapsed = time.perf_counter() - start
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    return elapsed


async def measure(env: Env, *, rounds: int = 5) -> list[Figure]:
    import httpx

    from app.inboxes.models import Inbox, Queue
    from app.intake.jobs import import_email_job
    from app.intake.keeping import Keep
    from app.intake.parse_runner import parse_in_child, shutdown_parser
    from app.mail.models import Email
    from app.main import create_app
    from app.tasks.models import Task, TaskStatus
    from bench.servers import serving

    queue = await Queue.create(organization_id=env.organization_id, name="bench")
    await Inbox.create(organization_id=env.organization_id, queue=queue, email=INBOX)
    figures = []
    counter = iter(range(10**6))
    async with serving(create_app()) as url, httpx.AsyncClient(base_url=url) as client:
        await _accept(client, env.token, build_message(10_000, "warm")[0], upload=False)
        for upload, bound in ((False, 5.0), (True, 3.0)):

            async def one(size: int, upload: bool = upload) -> float:
                raw, _ = build_message(size, f"m{next(counter)}")
                return await _accept(client, env.token, raw, upload=upload)

            arms = await interleave(
                lambda: one(MESSAGE_BYTES), lambda: one(SMALL_BYTES), rounds=rounds
            )
            how = "upload" if upload else "base64"
            figures.append(
                arms.figure(f"importEmail 25 MB / 25 kB ({how})", Target("<=", bound))
            )
        # The accepted messages are not imported: only the one below is.
        await Task.filter(status=TaskStatus.QUEUED).update(status=TaskStatus.CANCELLED)

        # Memory of the job for one 25 MB message: a fresh parse child (warmed up
        # with a tiny message, so its baseline is an idle interpreter) and this
        # process's heap.
        shutdown_parser()
        await parse_in_child(build_message(10_000, "warm-child")[0], Keep())
        child = _parse_child_pid()
        child_base = _vm_kib(child, "VmRSS") if child else None
        raw, attachment = build_message(MESSAGE_BYTES, "memory")
        size = len(raw)
        await _accept(client, env.token, raw, upload=True)
    del raw, attachment
    task = await Task.filter(status=TaskStatus.QUEUED).order_by("-created_at").first()
    assert task is not None
    tracemalloc.start()
    tracemalloc.reset_peak()
    heap_before = tracemalloc.get_traced_memory()[0]
    outcome = await import_email_job({}, str(task.id))
    heap_peak = tracemalloc.get_traced_memory()[1] - heap_before
    tracemalloc.stop()
    child_peak = _vm_kib(child, "VmHWM") if child else None
    assert outcome == "succeeded", outcome
    email = await Email.get(id=(await Task.get(id=task.id)).email_id)
    assert email.raw_size == size
    shutdown_parser()
    if child_peak is not None and child_base is not None:
        growth = (child_peak - child_base) * 1024
        figures.append(
            summarize(
                "25 MB import: parse child RSS growth / message",
                [growth / size],
                Target("<=", 3.0),
                arms=f"{growth / 1e6:.0f} / {size / 1e6:.0f} MB (one import)",
            )
        )
    figures.append(
        summarize(
            "25 MB import: worker heap peak / message",
            [heap_peak / size],
            Target("<=", 10.0),
            arms=f"{heap_peak / 1e6:.0f} / {size / 1e6:.0f} MB (one import)",
        )
    )
    return figures


async def run(engine: str) -> list[Figure]:
    async with environment(engine, PARSE_PROCESSES="1") as env:
        return await measure(env)
