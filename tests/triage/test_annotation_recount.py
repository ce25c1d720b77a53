"""annotationCounts of every email and thread equal a recount of the rows, after
every triage step."""

from app.documents.models import AnnotationStatus
from tests.helpers import gid, gid_of, mutate
from tests.triage.api import (
    SPLIT,
    UPDATE_ANNOTATION,
    UPDATE_EMAIL,
    assert_counts_match_rows,
    attach,
    dismiss,
    email_state,
    tgid,
    thread_state,
)

# ============================================================== annotation counts


async def test_annotation_counts_match_a_recount_after_every_step(
    admin, world, smtp_sink, run_jobs
):
    # given two threads whose emails carry annotations in many statuses
    root = await world.email("Invoice 70")
    reply = await world.email("Re: Invoice 70", thread_of=root, parent=root)
    other = await world.email("Invoice 71")
    statuses = list(AnnotationStatus)
    notes = [await world.annotation(root, s) for s in statuses]
    notes += [await world.annotation(reply, s) for s in statuses[::2]]
    notes += [await world.annotation(other, s) for s in statuses[1::2]]
    loose = [await world.annotation(None, s, thread_id=None) for s in statuses[:4]]
    await assert_counts_match_rows(admin)

    # when an annotation is re-statused through the API
    for note, status in zip(notes[:3], ("CONFIRMED", "PURGED", "DELETED"), strict=True):
        updated = await mutate(
            admin,
            UPDATE_ANNOTATION,
            {"id": gid("Annotation", note.id), "status": status},
        )
        assert updated["status"] == status
    await assert_counts_match_rows(admin)

    # when the reply is dismissed with rejection (the notice joins the thread)
    await dismiss(admin, reply, rejectAnnotations=True, notifySender=True)
    await run_jobs()
    await assert_counts_match_rows(admin)

    # when annotations (some thread-less, one already related, one of another thread)
    # are attached to the root, twice
    related = [gid("Annotation", a.id) for a in (*loose, notes[-1], notes[0])]
    await attach(admin, root, annotations=related)
    await attach(admin, reply, annotations=related[:2])
    await run_jobs()
    await attach(admin, root, annotations=related)
    await run_jobs()
    await assert_counts_match_rows(admin)
    thread = await thread_state(admin, root.email_thread_id)
    # (besides those, the REJECTION notice lists the reply's annotations it rejected)
    rejected = [
        s for s in statuses[::2] if s.value not in ("DELETED", "PURGED", "EXPORTED")
    ]
    assert thread["annotationCounts"]["relatedAnnotations"] == len(related) + len(
        rejected
    )

    # when the other thread's email is moved into the first, and back out again
    await attach(admin, other, thread=tgid(root.email_thread_id))
    await run_jobs()
    await assert_counts_match_rows(admin)
    split = await mutate(admin, SPLIT, {"email": gid_of(other)})
    assert split["__typename"] == "EmailThread", split
    await assert_counts_match_rows(admin)

    # when the first thread is dismissed at the root and un-dismissed
    await dismiss(admin, root, rejectAnnotations=True)
    await run_jobs()
    await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(root), "status": "UNRESOLVED"}}
    )
    await assert_counts_match_rows(admin)
    # and every status is represented on the root somewhere
    data = await email_state(admin, root)
    counts = data["annotationCounts"]
    assert counts["annotationsRejected"] > 0 and counts["annotationsProcessed"] > 0
    assert counts["annotationsPurged"] > 0
