"""The relations the reference fills by itself: the related annotations' documents
are related documents, a forward lists the documents it carried, and a REJECTION
email lists the annotations it rejected."""

from app.documents.models import Annotation, AnnotationStatus
from app.mail.models import Email, EmailType, Label
from tests.factories import make_document
from tests.helpers import gid, gid_of
from tests.outbox.sending import (
    CSV,
    PDF,
    make_incoming,
    queue_with_inbox,
    send,
    sent_task,
    to,
)
from tests.triage.api import attach, dismiss, email_state


async def _annotated(admin, queue, incoming, data=PDF, name="a.pdf"):
    doc = await make_document(
        admin.organization_id, data, name, "application/pdf", email_id=incoming.id
    )
    note = await Annotation.create(
        organization_id=admin.organization_id,
        queue=queue,
        document=doc,
        email=incoming,
        email_thread_id=incoming.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
    )
    return doc, note


async def test_related_annotations_bring_their_documents(admin, smtp_sink, run_jobs):
    # given an incoming email with two annotated documents and a loose document
    queue = await queue_with_inbox(admin.organization_id)
    incoming = await make_incoming(
        admin.organization_id, queue, subject="Docs", message_id="<rel@vendor.test>"
    )
    doc_a, note_a = await _annotated(admin, queue, incoming)
    doc_b, note_b = await _annotated(admin, queue, incoming, CSV, "b.csv")
    loose = await make_document(admin.organization_id, PDF, "c.pdf", "application/pdf")

    # when an email names one annotation and the loose document
    sent = (
        await sent_task(
            admin,
            queue=gid_of(queue),
            to=to("x@client.test"),
            relatedAnnotations=[gid("Annotation", note_a.id)],
            relatedDocuments=[gid("Document", loose.id)],
        )
    )["email"]
    # then its related documents are the named one and the annotation's, once each
    assert sorted(d["id"] for d in sent["relatedDocuments"]) == sorted(
        [gid("Document", loose.id), gid("Document", doc_a.id)]
    )

    # when attachEmail relates the other annotation (and the first again)
    result = await attach(
        admin,
        await Email.get(id=incoming.id),
        annotations=[gid("Annotation", note_b.id), gid("Annotation", note_a.id)],
    )
    assert result["__typename"] == "Task", result
    await run_jobs()
    # then both annotations' documents are its related documents
    data = await email_state(admin, incoming)
    assert sorted(d["id"] for d in data["relatedDocuments"]) == sorted(
        [gid("Document", doc_a.id), gid("Document", doc_b.id)]
    )


async def test_a_forward_lists_the_documents_it_carried(admin, smtp_sink, run_jobs):
    # given an incoming email with two documents
    queue = await queue_with_inbox(admin.organization_id)
    parent = await make_incoming(
        admin.organization_id, queue, subject="Inv", message_id="<fw@vendor.test>"
    )
    own = [
        await make_document(
            admin.organization_id, PDF, "i.pdf", "application/pdf", email_id=parent.id
        ),
        await make_document(
            admin.organization_id, CSV, "l.csv", "text/csv", email_id=parent.id
        ),
    ]
    # when it is forwarded
    forward = (
        await sent_task(
            admin,
            parentEmail=gid_of(parent),
            labels=["FORWARDED"],
            to=to("partner@client.test"),
        )
    )["email"]
    # then the forward lists the documents it carried
    assert sorted(d["id"] for d in forward["relatedDocuments"]) == sorted(
        gid("Document", d.id) for d in own
    )
    # and a reply to the same email carries and lists none
    reply = (
        await sent_task(admin, parentEmail=gid_of(parent), to=to("a@vendor.test"))
    )["email"]
    assert reply["relatedDocuments"] == []
    await run_jobs()


async def test_bad_related_annotations_create_nothing(admin, smtp_sink):
    queue = await queue_with_inbox(admin.organization_id)
    result = await send(
        admin,
        queue=gid_of(queue),
        to=to("x@client.test"),
        relatedAnnotations=[gid("Annotation", 999999)],
    )
    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "NOT_FOUND",
        "relatedAnnotations",
    )
    assert await Email.filter(organization_id=admin.organization_id).count() == 0


async def test_a_rejection_email_lists_the_annotations_it_rejected(
    admin, world, smtp_sink, run_jobs
):
    # given an email with a reviewable and an exported annotation
    email = await world.email("Invoice 9")
    rejectable = await world.annotation(email, AnnotationStatus.TO_REVIEW)
    await world.annotation(email, AnnotationStatus.EXPORTED)
    # when it is dismissed, rejecting its annotations and telling the sender
    result = await dismiss(admin, email, rejectAnnotations=True, notifySender=True)
    assert result["__typename"] == "Task", result
    await run_jobs()
    # then the REJECTION email lists the annotation it rejected, not the other one
    [notice] = await Email.filter(
        organization_id=admin.organization_id, type=EmailType.OUTGOING
    )
    data = await email_state(admin, notice)
    assert data["labels"] == [Label.REJECTION.value]
    assert data["relatedAnnotations"] == [{"id": gid("Annotation", rejectable.id)}]
    assert data["relatedDocuments"] == [{"id": gid("Document", rejectable.document_id)}]
