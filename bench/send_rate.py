"""Send throughput as deployed: a batch of sendEmail mutations sent at once over
uvicorn (a caller with a batch does not wait for each answer), then `mailroom worker`
in its own process until every email is SENT to an aiosmtpd sink in this process, in
messages a second, against raw aiosmtplib handing the same number of equivalent
messages (plain and HTML bodies, same headers) to the same sink over one connection,
one after the other.

Figures: product rate / raw rate (≥ 0.5×); and the product against the raw arm's
second variant in the same rounds, `aiosmtplib.send()` a message (a session each).
The sink, the API, the client and the raw arm share this event loop; the worker
(MAIL_URL inherited from this environment) has its own process and core.
"""

import asyncio
import time
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx

from bench.env import Env, environment
from bench.harness import Arms, Figure, Target, interleave
from bench.processes import running, worker_beating
from bench.servers import serving, start_task, task_mutation

INBOX = "bench-send@example.com"
MESSAGES_PER_ROUND = 20
MUTATION = task_mutation("sendEmail", "SendEmailInput")
HTML = "<p>Dear customer,</p><p>your statement <b>{n}</b> is ready.</p>" * 4


def raw_message(n: int) -> EmailMessage:
    """What a send composes, built by hand: the raw arm's message."""
    msg = EmailMessage()
    msg["From"] = f"Bench <{INBOX}>"
    msg["To"] = f"client{n}@client.example"
    msg["Subject"] = f"Statement {n}"
    msg["Message-ID"] = f"<raw-{n}@example.com>"
    msg.set_content(f"Dear customer, your statement {n} is ready.\n" * 4)
    msg.add_alternative(HTML.format(n=n), subtype="html")
    return msg


def send_input(queue_id: int, n: int) -> dict[str, Any]:
    """sendEmail's input for the product arm's message `n`."""
    from app.core import ids

    return {
        "queue": ids.encode("Queue", queue_id),
        "to": [{"email": f"client{n}@client.example"}],
        "subject": f"Statement {n}",
        "message": HTML.format(n=n),
    }


class Sink:
    """An aiosmtpd handler that counts what it was handed, and the sessions."""

    def __init__(self) -> None:
        self.received = 0
        self.sessions = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: Any
    ) -> Any:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 2.0.0 Queued"


async def bench_queue(env: Env) -> Any:
    """The queue the product arm sends from, with its inbox (the sender)."""
    from app.inboxes.models import Inbox, Queue

    queue = await Queue.create(organization_id=env.organization_id, name="bench")
    await Inbox.create(
        organization_id=env.organization_id, queue=queue, email=INBOX, name="Bench"
    )
    return queue


async def measure(env: Env, sink: Sink, port: int, *, rounds: int = 5) -> list[Figure]:
    from app.mail.models import DeliveryStatus, Email, EmailType
    from app.main import create_app

    queue = await bench_queue(env)
    counter = iter(range(10**6))
    per_session: list[float] = []  # the raw arm's second variant, each round

    async with serving(create_app()) as url, httpx.AsyncClient(base_url=url) as client:

        async def send(n: int) -> None:
            await start_task(client, env.token, MUTATION, send_input(queue.id, n))

        outgoing = Email.filter(
            organization_id=env.organization_id, type=EmailType.OUTGOING
        )

        async def product() -> float:
            batch = [next(counter) for _ in range(MESSAGES_PER_ROUND)]
            sent_before = await outgoing.filter(
                delivery_status=DeliveryStatus.SENT
            ).count()
            start = time.perf_counter()
            await asyncio.gather(*(send(n) for n in batch))
            sent = outgoing.filter(delivery_status=DeliveryStatus.SENT)
            while await sent.count() < sent_before + MESSAGES_PER_ROUND:  # noqa: ASYNC110 (a client polls)
                await asyncio.sleep(0.005)
            return MESSAGES_PER_ROUND / (time.perf_counter() - start)

        async def bare() -> float:
            batch = [raw_message(next(counter)) for _ in range(MESSAGES_PER_ROUND)]
            start = time.perf_counter()
            async with aiosmtplib.SMTP(
                hostname="127.0.0.1", port=port, start_tls=False
            ) as raw:
                for message in batch:
                    await raw.send_message(message)
            rate = MESSAGES_PER_ROUND / (time.perf_counter() - start)
            # The same batch the way aiosmtplib.send() goes: a session a message.
            batch = [raw_message(next(counter)) for _ in range(MESSAGES_PER_ROUND)]
            start = time.perf_counter()
            for message in batch:
                await aiosmtplib.send(
                    message, hostname="127.0.0.1", port=port, start_tls=False
                )
            per_session.append(MESSAGES_PER_ROUND / (time.perf_counter() - start))
            return rate

        with running(env, "worker", ready=worker_beating):
            arms = await interleave(product, bare, rounds=rounds)
    failed = await outgoing.exclude(delivery_status=DeliveryStatus.SENT).count()
    assert failed == 0, f"{failed} emails not SENT"
    # The worker's sends reached this sink (MAIL_URL), as did the raw arm's two.
    assert sink.received == 3 * MESSAGES_PER_ROUND * (rounds + 1), sink.received
    figure = arms.figure(
        "sendEmail → SENT / raw aiosmtplib rate",
        Target(">=", 0.5),
        unit="msg/s",
        scale=1,
    )
    # The raw arm's second variant ran in the same rounds (warm-up dropped).
    sessions = Arms(arms.a, per_session[-rounds:]).figure(
        "sendEmail → SENT / aiosmtplib.send() a message",
        Target(">=", 0.5),
        unit="msg/s",
        scale=1,
    )
    return [figure, sessions]


async def run(engine: str) -> list[Figure]:
    from aiosmtpd.smtp import SMTP

    sink = Sink()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0)
    port = smtp.sockets[0].getsockname()[1]
    try:
        mail_url = f"smtp://127.0.0.1:{port}?starttls=off"
        async with environment(engine, MAIL_URL=mail_url) as env:
            return await measure(env, sink, port)
    finally:
        smtp.close()
        await smtp.wait_closed()
