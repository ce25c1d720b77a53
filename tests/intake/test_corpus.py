"""The whole corpus (tests/mailcorpus): every everyday and damaged message ends
cleanly, and the worker survives them all."""

from tests import mailcorpus as mc
from tests.intake.importing import (
    assert_documents_downloadable,
    assert_worker_alive,
    intake_inbox,
    queued_task,
    task_of,
)

# ---------------------------------------------------------------------------
# The corpus as a whole


async def test_every_corpus_message_ends_cleanly_and_the_worker_survives(
    admin, run_jobs
):
    # given an inbox and every everyday and damaged message of the corpus
    await intake_inbox(admin.organization_id)
    samples = mc.everyday_and_damaged()
    # when they are all imported and the worker runs
    task_ids = {s.name: await queued_task(admin, s.raw) for s in samples}
    await run_jobs()
    # then every task finished: SUCCEEDED with its documents, or FAILED with a clear
    # error (a crash, INTERNAL_ERROR, is not one: "never crashes the worker; a
    # message it cannot read fails its task with a clear error")
    problems = []
    for sample in samples:
        task = await task_of(admin, task_ids[sample.name])
        if task["status"] == "FAILED":
            error = task["error"] or {}
            if not (error.get("code") and error.get("message")):
                problems.append((sample.name, "FAILED without an error", error))
            elif error["code"] == "INTERNAL_ERROR" or sample.documents is not None:
                problems.append((sample.name, "FAILED", error))
            continue
        if task["status"] != "SUCCEEDED" or task["error"] is not None:
            problems.append((sample.name, task["status"], task["error"]))
            continue
        email = task["email"]
        if sample.documents is not None and len(email["documents"]) != sample.documents:
            problems.append((sample.name, "documents", len(email["documents"])))
        await assert_documents_downloadable(admin, email)
    # and the worker still imports a normal message
    await assert_worker_alive(admin, run_jobs, "corpus")
    assert problems == []
