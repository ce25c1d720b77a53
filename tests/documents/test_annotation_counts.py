"""The annotation counts shown on emails and threads follow the status rules."""

from collections import Counter

from app.documents.models import Annotation, AnnotationStatus, Document
from app.mail.relations import EmailRelatedAnnotation
from tests.factories import at, make_email, make_queue, thread_of
from tests.helpers import gid, gid_of

# --- annotation counts ---------------------------------------------------------------

COUNT_FIELDS = """annotations annotationsProcessed annotationsPurged
  annotationsUnprocessed annotationsRejected relatedAnnotations"""

COUNTS = f"""
query($thread: ID!) {{
  emails(orderBy: {{field: CREATED_AT, descending: false}}) {{
    nodes {{ id annotationCounts {{ {COUNT_FIELDS} }} }}
  }}
  emailThread(id: $thread) {{ annotationCounts {{ {COUNT_FIELDS} }} }}
}}"""

PROCESSED = {
    AnnotationStatus.CONFIRMED,
    AnnotationStatus.EXPORTING,
    AnnotationStatus.EXPORTED,
}


def recount(statuses: list[AnnotationStatus], related: int) -> dict[str, int]:
    """The design's rules, applied to the statuses of the rows the test created."""
    counted = [s for s in statuses if s is not AnnotationStatus.DELETED]
    by = Counter(counted)
    processed = sum(by[s] for s in PROCESSED)
    purged = by[AnnotationStatus.PURGED]
    rejected = by[AnnotationStatus.REJECTED]
    return {
        "annotations": len(counted),
        "annotationsProcessed": processed,
        "annotationsPurged": purged,
        "annotationsRejected": rejected,
        "annotationsUnprocessed": len(counted) - processed - purged - rejected,
        "relatedAnnotations": related,
    }


async def test_annotation_counts_of_emails_and_threads_follow_the_status_rules(
    admin, make_org
):
    org = admin.organization_id
    queue = await make_queue(org)
    first = await make_email(org, queue.id, created_at=at(1), subject="first")
    second = await make_email(
        org, queue.id, created_at=at(2), subject="second", thread=await thread_of(first)
    )
    quiet = await make_email(
        org, queue.id, created_at=at(3), subject="quiet", thread=await thread_of(first)
    )
    elsewhere = await make_email(org, queue.id, created_at=at(4), subject="elsewhere")
    S = AnnotationStatus
    statuses = {
        first.id: [
            S.IMPORTING,
            S.TO_REVIEW,
            S.REVIEWING,
            S.FAILED_IMPORT,  # unprocessed
            S.CONFIRMED,
            S.EXPORTING,
            S.EXPORTED,  # processed
            S.PURGED,
            S.PURGED,
            S.REJECTED,
            S.DELETED,
            S.DELETED,
        ],
        second.id: [S.TO_REVIEW, S.CONFIRMED, S.REJECTED, S.DELETED],
        quiet.id: [],
        elsewhere.id: [S.EXPORTED, S.TO_REVIEW],
    }
    rows: dict[int, list[Annotation]] = {}
    for email in (first, second, quiet, elsewhere):
        rows[email.id] = []
        for status in statuses[email.id]:
            document = await Document.create(organization_id=org, email=email)
            rows[email.id].append(
                await Annotation.create(
                    organization_id=org,
                    queue=queue,
                    document=document,
                    email=email,
                    email_thread_id=email.email_thread_id,
                    status=status,
                )
            )
    # Related annotations: `first` relates to one of its own, one of `second` and one
    # in another thread; `second` relates to the same one of its own as `first` does.
    shared = rows[second.id][0]
    for email, annotation in [
        (first, rows[first.id][1]),
        (first, shared),
        (first, rows[elsewhere.id][0]),
        (second, shared),
    ]:
        await EmailRelatedAnnotation.create(email=email, annotation=annotation)
    # The other organization's annotations never count.
    neighbour = await make_org("Globex")
    n_queue = await make_queue(neighbour.organization_id)
    n_email = await make_email(neighbour.organization_id, n_queue.id, created_at=at(1))
    await Annotation.create(
        organization_id=neighbour.organization_id,
        queue=n_queue,
        email=n_email,
        email_thread_id=n_email.email_thread_id,
        status=S.TO_REVIEW,
    )

    data = await admin.data(
        COUNTS, {"thread": gid("EmailThread", first.email_thread_id)}
    )

    # Counts recomputed from the stored rows, by the design's rules.
    stored = {
        e.id: [a.status for a in await Annotation.filter(email_id=e.id).order_by("id")]
        for e in (first, second, quiet, elsewhere)
    }
    assert stored == {k: list(v) for k, v in statuses.items()}
    related = {
        e.id: len(
            set(
                await EmailRelatedAnnotation.filter(email_id=e.id).values_list(
                    "annotation_id", flat=True
                )
            )
        )
        for e in (first, second, quiet, elsewhere)
    }
    by_email = {n["id"]: n["annotationCounts"] for n in data["emails"]["nodes"]}
    for email in (first, second, quiet, elsewhere):
        assert by_email[gid_of(email)] == recount(stored[email.id], related[email.id])
    assert by_email[gid_of(first)] == {
        "annotations": 10,
        "annotationsProcessed": 3,
        "annotationsPurged": 2,
        "annotationsUnprocessed": 4,
        "annotationsRejected": 1,
        "relatedAnnotations": 3,
    }
    assert by_email[gid_of(quiet)] == recount([], 0)

    thread_statuses = stored[first.id] + stored[second.id] + stored[quiet.id]
    # Distinct annotations related to any email of the thread: first's own, the shared
    # one (related twice) and the one elsewhere.
    assert data["emailThread"]["annotationCounts"] == recount(thread_statuses, 3)
    assert data["emailThread"]["annotationCounts"]["annotations"] == 13
