"""Parse processes: a slow message holds one of them, times out alone and takes no
other import down with it; waiting for a free process is not parse time."""

from tests.intake.importing import intake_inbox, queued_task, task_of


def _many_parts(n: int, tag: str) -> bytes:
    """A message of `n` tiny text parts: slow for the stdlib parser (~0.3 ms each)."""
    head = (
        f"From: a@supplier.test\r\nTo: inbox@acme.test\r\nSubject: {tag}\r\n"
        f"Message-ID: <{tag}@supplier.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
    ).encode()
    part = b"--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    return head + part * n + b"--x--\r\n"


async def test_a_slow_message_times_out_alone_and_the_others_import(
    admin, run_jobs, settings
):
    # given two parse processes, a 2 s parse limit, a message that needs far
    # longer and three small ones imported alongside it
    settings(parse_processes="2", parse_timeout_seconds="2")
    await intake_inbox(admin.organization_id)
    slow = await queued_task(admin, _many_parts(40_000, "slow"))
    small = [await queued_task(admin, _many_parts(3, f"small-{n}")) for n in range(3)]
    # when the worker runs them all at once
    await run_jobs()
    # then the slow one failed with a code, and each small one imported
    failed = await task_of(admin, slow)
    assert failed["status"] == "FAILED", failed
    assert failed["error"]["code"] == "BAD_REQUEST"
    assert "took longer than 2 s" in failed["error"]["message"]
    for task in small:
        done = await task_of(admin, task)
        assert done["status"] == "SUCCEEDED", done
