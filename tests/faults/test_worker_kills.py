"""The worker killed (-9) or stopped (SIGTERM) in the middle of a batch, with the
default lease and reconciler: every task ends within 90 s of a worker being up,
one email per distinct message, nothing sent twice, nothing left behind.

Each test runs real `mailroom worker` processes on the test's own database and
Redis key prefix, and its own blob directory; figures go to the run's summary."""

import asyncio
import os
import signal
import time
from collections import Counter
from email import message_from_bytes

from app.mail.models import DeliveryStatus, Email
from tests.faults.batch import (
    all_terminal,
    emails_per_message,
    failures,
    inbox_for,
    orphan_blobs,
    processes_in_sessions,
    statuses,
    submit_imports,
)
from tests.fixtures.processes import eventually
from tests.helpers import gid_of
from tests.outbox.sending import queue_with_inbox, sent_task, to

TERMINAL_WITHIN = 90.0
DISTINCT = 200
DUPLICATES = 20


def _kill(process) -> None:
    """SIGKILL the worker alone (not its session): its parse child must follow."""
    os.kill(process.pid, signal.SIGKILL)


async def _blob_dir(settings, tmp_path):
    blobs = tmp_path / "blobs"
    settings(blob_store_url=f"file://{blobs}")
    return blobs


async def test_kill_9_three_times_during_200_imports_with_20_duplicates(
    admin, redis, settings, start_worker, tmp_path, figures
):
    blobs = await _blob_dir(settings, tmp_path)
    org = admin.organization_id
    await inbox_for(org)
    numbers = list(range(DISTINCT)) + list(range(0, DISTINCT, DISTINCT // DUPLICATES))
    await submit_imports(redis, org, numbers)
    # when the worker is killed three times while it imports
    killed: set[int] = set()
    at_kills = []
    for threshold in (30, 80, 130):
        worker = await start_worker()
        await eventually(
            lambda t=threshold: _mid_batch(org, t), within=60, what="imports"
        )
        _kill(worker)
        killed.add(worker.pid)
        await worker.wait()
        at_kills.append((await statuses(org))["RUNNING"])
    await start_worker()
    # then every task is terminal soon after a worker is up again
    took = await all_terminal(org, within=TERMINAL_WITHIN)
    final = await statuses(org)
    per_message = await emails_per_message(org)
    orphans = await orphan_blobs(blobs)
    left = processes_in_sessions(killed)
    figures(
        "kill -9 x3 during 200 imports + 20 duplicates",
        f"RUNNING at each kill {at_kills}; "
        f"terminal {took:.0f} s after the last restart; tasks {dict(final)}; "
        f"{sum(per_message.values())} emails for {len(per_message)} messages; "
        f"{len(orphans)} orphan blobs; {len(left)} orphan processes",
    )
    assert final == Counter({"SUCCEEDED": DISTINCT + DUPLICATES}), final
    assert len(per_message) == DISTINCT and set(per_message.values()) == {1}
    assert orphans == []
    assert await eventually(
        lambda: _none_left(killed), within=10, what="killed sessions empty"
    )


async def test_sigterm_mid_batch_hands_back_and_the_next_worker_finishes(
    admin, redis, settings, start_worker, tmp_path, figures
):
    blobs = await _blob_dir(settings, tmp_path)
    org = admin.organization_id
    await inbox_for(org)
    await submit_imports(redis, org, list(range(100)))
    worker = await start_worker()
    await eventually(lambda: _mid_batch(org, 20), within=60, what="imports")
    # when the worker is stopped as a deploy does
    stopping = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(worker.wait(), 40) == 0
    stopped = time.monotonic() - stopping
    # then it left nothing RUNNING (finished or handed back), and the next worker
    # finishes the batch
    after_stop = await statuses(org)
    assert "RUNNING" not in after_stop, after_stop
    await start_worker()
    took = await all_terminal(org, within=TERMINAL_WITHIN)
    per_message = await emails_per_message(org)
    figures(
        "SIGTERM mid-batch of 100 imports",
        f"worker exited 0 in {stopped:.1f} s leaving {dict(after_stop)}; "
        f"terminal {took:.0f} s after the next worker started; "
        f"{sum(per_message.values())} emails",
    )
    assert await statuses(org) == Counter({"SUCCEEDED": 100})
    assert len(per_message) == 100 and set(per_message.values()) == {1}
    assert await orphan_blobs(blobs) == []


async def test_kill_9_during_100_sends_to_a_slow_peer_sends_none_twice(
    admin, smtp_sink, start_worker, figures
):
    # given 100 sends to a peer that takes 0.3 s to answer each DATA
    smtp_sink.delay = 0.3
    org = admin.organization_id
    queue = await queue_with_inbox(org)
    for n in range(100):
        await sent_task(
            admin,
            queue=gid_of(queue),
            to=to(f"client{n}@client.test"),
            templateValues={"subject": f"Statement {n}"},
        )
    # when the worker is killed mid-batch and another one takes over
    worker = await start_worker()
    await eventually(lambda: _mid_sending(org, 25), within=60, what="sends")
    _kill(worker)
    await worker.wait()
    await start_worker()
    took = await all_terminal(org, within=TERMINAL_WITHIN)
    # then each email was delivered exactly once, or FAILED as DELIVERY_UNCERTAIN
    received = Counter(
        _message_id(m.data) for m in smtp_sink.received + smtp_sink.dropped
    )
    rows = await Email.filter(organization_id=org, delivery_status__not_isnull=True)
    by_state = Counter(str(r.delivery_status) for r in rows)
    sent = [r for r in rows if r.delivery_status is DeliveryStatus.SENT]
    failed = [r for r in rows if r.delivery_status is DeliveryStatus.FAILED]
    twice = [i for i, n in received.items() if n > 1]
    figures(
        "kill -9 during 100 sends to a slow SMTP peer",
        f"terminal {took:.0f} s after the restart; emails {dict(by_state)}; "
        f"{len(twice)} delivered twice; "
        f"{sum(1 for r in sent if received[r.message_id] != 1)} SENT not delivered",
    )
    assert len(rows) == 100 and len(sent) + len(failed) == 100, by_state
    assert twice == []
    assert all(received[r.message_id] == 1 for r in sent)
    assert all(r.last_tries[-1]["status"] == "DELIVERY_UNCERTAIN" for r in failed)


async def test_the_worker_outlives_a_redis_restart_mid_batch(
    admin, redis_server, redis, start_worker, figures
):
    org = admin.organization_id
    await inbox_for(org)
    await submit_imports(redis, org, list(range(100)))
    worker = await start_worker()
    await eventually(lambda: _mid_batch(org, 20), within=60, what="imports")
    # when Redis restarts (empty: it keeps nothing) in the middle of the batch
    redis_server.stop()
    await asyncio.sleep(3)
    redis_server.start()
    back = time.monotonic()
    # then the same worker process finishes every import
    took = await all_terminal(org, within=TERMINAL_WITHIN)
    figures(
        "Redis restart mid-batch of 100 imports",
        f"terminal {took:.0f} s after Redis returned "
        f"({time.monotonic() - back:.0f} s); tasks {dict(await statuses(org))}",
    )
    assert worker.returncode is None
    assert await statuses(org) == Counter({"SUCCEEDED": 100}), await failures(org)
    assert len(await emails_per_message(org)) == 100


async def _mid_batch(org: int, count: int) -> bool:
    """At least `count` imports done, and jobs running right now."""
    now = await statuses(org)
    return now["SUCCEEDED"] >= count and now["RUNNING"] >= 3


async def _mid_sending(org: int, count: int) -> bool:
    """At least `count` emails sent, and deliveries under way right now."""
    states = Counter(
        await Email.filter(organization_id=org).values_list(
            "delivery_status", flat=True
        )
    )
    return states[DeliveryStatus.SENT] >= count and states[DeliveryStatus.SENDING] >= 3


async def _none_left(sessions: set[int]) -> bool:
    return not processes_in_sessions(sessions)


def _message_id(data: bytes) -> str:
    return str(message_from_bytes(data)["Message-ID"]).strip()
