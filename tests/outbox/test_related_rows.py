"""The annotations and documents a sent email names: recorded on it, and threads
moved."""

from app.documents.models import Annotation, AnnotationStatus
from tests.factories import make_document
from tests.helpers import gid, gid_of
from tests.outbox.sending import PDF, make_incoming, queue_with_inbox, sent_task, to

# ---------------------------------------------------------------------------
# Related annotations and documents


ANNOTATION = """
query A($id: ID!) {
  annotation(id: $id) { id emailThread { id } relatedEmails { id } }
}"""


async def test_related_annotations_and_documents_are_recorded_and_threads_moved(
    admin, smtp_sink
):
    # given an email thread with an annotation, an annotation in no thread, a document
    queue = await queue_with_inbox(admin.organization_id)
    incoming = await make_incoming(
        admin.organization_id, queue, subject="Docs", message_id="<docs@vendor.test>"
    )
    doc = await make_document(
        admin.organization_id, PDF, "a.pdf", "application/pdf", email_id=incoming.id
    )
    in_thread = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        document=doc,
        email=incoming,
        email_thread_id=incoming.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
    )
    loose = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        status=AnnotationStatus.TO_REVIEW,
    )
    a_in, a_loose = (
        gid("Annotation", in_thread.id),
        gid("Annotation", loose.id),
    )

    # when an email names both annotations and the document, without the reset flag
    first = (
        await sent_task(
            admin,
            queue=gid_of(queue),
            to=to("x@client.test"),
            relatedAnnotations=[a_in, a_loose],
            relatedDocuments=[gid("Document", doc.id)],
        )
    )["email"]
    # then they are recorded on the email
    assert sorted(a["id"] for a in first["relatedAnnotations"]) == sorted(
        [a_in, a_loose]
    )
    assert first["relatedDocuments"] == [{"id": gid("Document", doc.id)}]
    # and the annotation without a thread joined the new email's thread;
    # the other one stayed where it was
    loose_now = (await admin.data(ANNOTATION, {"id": a_loose}))["annotation"]
    assert loose_now["emailThread"]["id"] == first["emailThread"]["id"]
    assert first["id"] in [e["id"] for e in loose_now["relatedEmails"]]
    in_now = (await admin.data(ANNOTATION, {"id": a_in}))["annotation"]
    assert in_now["emailThread"]["id"] == gid("EmailThread", incoming.email_thread_id)

    # when another email names it with resetRelatedAnnotationsEmailThread
    second = (
        await sent_task(
            admin,
            queue=gid_of(queue),
            to=to("y@client.test"),
            relatedAnnotations=[a_in],
            resetRelatedAnnotationsEmailThread=True,
        )
    )["email"]
    # then the annotation moved into that email's thread
    in_now = (await admin.data(ANNOTATION, {"id": a_in}))["annotation"]
    assert in_now["emailThread"]["id"] == second["emailThread"]["id"]
    assert second["emailThread"]["id"] != first["emailThread"]["id"]
