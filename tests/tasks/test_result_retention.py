"""arq keeps a finished job's result only briefly: tasks live in the database, and a
result held for long would only refuse re-enqueues of the same job id."""

from arq.constants import result_key_prefix
from arq.worker import func

from app.core.redis import queue_name
from app.worker import KEEP_RESULT_SECONDS, build_worker


async def test_a_finished_jobs_result_expires_within_a_minute(redis):
    # given a job run to its end by the worker's own options
    async def noop(ctx):
        return "done"

    await redis.enqueue_job("noop", _job_id="retention-1", _queue_name=queue_name())
    worker = build_worker(
        functions=[func(noop, name="noop")],
        cron_jobs=[],
        burst=True,
        redis_pool=redis,
        poll_delay=0.01,
        handle_signals=False,
        on_startup=None,  # the job needs no database
        on_shutdown=None,
    )
    await worker.main()
    # then its result is kept, and only for KEEP_RESULT_SECONDS
    ttl_ms = await redis.pttl(result_key_prefix + "retention-1")
    assert KEEP_RESULT_SECONDS <= 60
    assert 0 < ttl_ms <= KEEP_RESULT_SECONDS * 1000
