"""A page of emails or threads costs the same SQL statements whatever its size.

Every relation the list views show (thread, documents and their annotations,
annotations, related rows, children, labels, counts, queue, inbox, creator, parts)
goes through a per-request DataLoader, so 100 emails must not cost more queries than 10.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes.models import Inbox, Queue
from app.mail.models import Email, EmailThread, EmailType, Label
from app.mail.relations import EmailRelatedAnnotation, EmailRelatedDocument
from tests.conftest import ASYNCPG_RESET
from tests.factories import record_test_email
from tests.helpers import gid

THREADS = 60  # thread i holds 1 + i % 3 emails: 120 emails in all
STATUSES = [
    AnnotationStatus.TO_REVIEW,
    AnnotationStatus.CONFIRMED,
    AnnotationStatus.EXPORTED,
    AnnotationStatus.REJECTED,
    AnnotationStatus.PURGED,
    AnnotationStatus.DELETED,
    AnnotationStatus.REVIEWING,
]
LABEL_SETS = [
    [],
    [Label.REPLY],
    [Label.FORWARDED, Label.REJECTED],
    [Label.AUTOMATIC_REJECTION],
]

COUNTS = """
fragment Counts on AnnotationCounts {
  annotations annotationsProcessed annotationsRejected
  annotationsPurged annotationsUnprocessed relatedAnnotations
}
"""

EMAILS_PAGE = (
    """
query Page($first: Int!, $orderBy: EmailOrder, $filter: EmailFilter) {
  emails(first: $first, orderBy: $orderBy, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id subject createdAt date receivedAt size headers { name value }
        emailThread {
          id subject hasReplies
          labels
          annotationCounts { ...Counts }
          rootEmail { id subject }
        }
        documents { id originalFileName annotations { id status } }
        annotations { id status }
        relatedAnnotations { id status }
        relatedDocuments { id originalFileName }
        children { id subject }
        parent { id }
        labels
        annotationCounts { ...Counts }
        queue { id name }
        inbox { id email }
        creator { id email }
        parts { partId outcome document { id } }
      }
    }
  }
}
"""
    + COUNTS
)

THREADS_PAGE = (
    """
query Page($first: Int!) {
  emailThreads(first: $first) {
    totalCount
    edges {
      node {
        id subject hasReplies lastEmailCreatedAt
        labels
        annotationCounts { ...Counts }
        rootEmail { id subject }
        queue { id }
      }
    }
  }
}
"""
    + COUNTS
)


async def _seed(organization_id: int, user_id: int) -> dict[str, int]:
    """60 threads, 120 emails with documents, annotations, labels and related rows."""
    queue = await Queue.create(organization_id=organization_id, name="Intake")
    inbox = await Inbox.create(
        organization_id=organization_id,
        queue=queue,
        email=f"in-{organization_id}@x.test",
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    n_emails = n_documents = n_annotations = 0
    previous: tuple[Email, Annotation, Document] | None = None
    async with in_transaction():
        for t in range(THREADS):
            thread = None
            root: Email | None = None
            for k in range(1 + t % 3):
                n = n_emails
                extra: dict[str, Any] = {"inbox_id": inbox.id, "creator_id": user_id}
                if root is not None:
                    extra["parent_id"] = root.id
                email = await record_test_email(
                    organization_id=organization_id,
                    queue_id=queue.id,
                    type=EmailType.INCOMING if k == 0 else EmailType.OUTGOING,
                    subject=f"Invoice {t}" if k == 0 else f"Re: Invoice {t}",
                    from_address=f"sender{t}@example.com",
                    to=[{"email": f"in-{organization_id}@x.test", "name": "In"}],
                    labels=LABEL_SETS[n % len(LABEL_SETS)],
                    **extra,
                    created_at=start + timedelta(minutes=n),
                    thread=thread,
                )
                thread = thread or await EmailThread.get(id=email.email_thread_id)
                root = root or email
                n_emails += 1
                documents = []
                for d in range(1 + n % 2):
                    document = await Document.create(
                        organization_id=organization_id,
                        email=email,
                        original_file_name=f"doc-{n}-{d}.pdf",
                        mime_type="application/pdf",
                        size=100 + d,
                    )
                    documents.append(document)
                    n_documents += 1
                    annotation = await Annotation.create(
                        organization_id=organization_id,
                        queue=queue,
                        document=document,
                        email=email,
                        email_thread=thread,
                        status=STATUSES[(n + d) % len(STATUSES)],
                    )
                    n_annotations += 1
                email.parts = [
                    {
                        "partId": "1",
                        "contentType": "text/plain",
                        "size": 10,
                        "outcome": "BODY",
                    },
                    *(
                        {
                            "partId": str(i + 2),
                            "contentType": "application/pdf",
                            "filename": doc.original_file_name,
                            "size": doc.size,
                            "outcome": "DOCUMENT",
                            "documentId": doc.id,
                        }
                        for i, doc in enumerate(documents)
                    ),
                ]
                await email.save(update_fields=["parts"])
                if previous is not None:
                    prev_email, prev_annotation, prev_document = previous
                    await _relate(email, prev_annotation, prev_document)
                    await EmailRelatedAnnotation.create(
                        email=prev_email, annotation=annotation
                    )
                previous = (email, annotation, documents[0])
    return {"emails": n_emails, "documents": n_documents, "annotations": n_annotations}


async def _relate(email: Email, annotation: Annotation, document: Document) -> None:
    """Relate an email to another email's annotation and document (reply, attach)."""
    await EmailRelatedAnnotation.create(email=email, annotation=annotation)
    await EmailRelatedDocument.create(email=email, document=document)


async def _count_statements(
    actor, sql_counter, query: str, first: int, **variables: Any
) -> tuple[int, dict]:
    sql_counter.statements.clear()
    data = await actor.data(query, {"first": first, **variables})
    return len(sql_counter.statements), data


@pytest.fixture
def every_relation_budget(settings):
    """This page selects every relation at once: at 100 emails it costs 17,501, more
    than the default budget a client gets (tests/graphql/test_query_cost.py)."""
    settings(graphql_max_cost="20000")


async def test_emails_page_costs_the_same_statements_at_10_and_100(
    every_relation_budget, admin, sql_counter
):
    # Given an organization with 120 emails in threads, each with documents,
    # annotations in several statuses, labels, related rows, children and parts
    seeded = await _seed(admin.organization_id, admin.user_id)
    assert seeded["emails"] == 120

    # (the token's first use writes its lastUsedAt once; keep that out of the counts)
    await admin.data("{ viewer { id } }")

    # When the same page is asked with 10 and with 100 emails
    small, small_data = await _count_statements(admin, sql_counter, EMAILS_PAGE, 10)
    small_sql = list(sql_counter.statements)
    large, large_data = await _count_statements(admin, sql_counter, EMAILS_PAGE, 100)
    large_sql = list(sql_counter.statements)

    # Then the pages are full and every relation is there
    assert small >= 3, small_sql  # the counter sees the page (auth, page, count, …)
    assert len(small_data["emails"]["edges"]) == 10
    assert len(large_data["emails"]["edges"]) == 100
    assert small_data["emails"]["totalCount"] == 120
    assert large_data["emails"]["totalCount"] == 120
    nodes = [e["node"] for e in large_data["emails"]["edges"]]
    assert all(n["emailThread"]["rootEmail"] for n in nodes)
    assert all(n["documents"] and n["documents"][0]["annotations"] for n in nodes)
    assert all(n["queue"] and n["inbox"] and n["creator"] for n in nodes)
    assert all(
        [p["document"]["id"] for p in n["parts"] if p["outcome"] == "DOCUMENT"]
        == [d["id"] for d in n["documents"]]
        for n in nodes
    )
    assert any(n["children"] for n in nodes) and any(n["parent"] for n in nodes)
    assert any(n["labels"] for n in nodes)
    assert any(n["emailThread"]["labels"] for n in nodes)
    assert all(n["relatedAnnotations"] and n["relatedDocuments"] for n in nodes)
    assert any(n["annotationCounts"]["annotationsRejected"] for n in nodes)
    assert any(
        n["emailThread"]["annotationCounts"]["annotationsProcessed"] for n in nodes
    )

    # And both cost the same number of SQL statements
    print(f"emails page SQL statements: first 10 = {small}, first 100 = {large}")
    assert small == large, "\n".join(
        ["--- first: 10", *small_sql, "--- first: 100", *large_sql]
    )
    # And no statement is followed by a round trip of asyncpg's pool reset
    assert ASYNCPG_RESET not in large_sql


async def test_emails_page_by_date_with_list_filters_costs_the_same_statements(
    every_relation_budget, admin, sql_counter
):
    # Given the same 120 emails, five with a Date and the rest without, so that a
    # page of 10 and one of 100 both read the dated run and the dateless one
    await _seed(admin.organization_id, admin.user_id)
    ids = await Email.filter(organization_id=admin.organization_id).values_list(
        "id", flat=True
    )
    dated = sorted(ids)[:5]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    await Email.filter(id__in=ids).update(date=None)
    for i, pk in enumerate(dated):
        await Email.filter(id=pk).update(date=start + timedelta(hours=i))
    inbox = await Inbox.get(organization_id=admin.organization_id)
    queue = await Queue.get(organization_id=admin.organization_id)
    variables = {
        "orderBy": {"field": "DATE", "descending": True},
        "filter": {
            "inbox": [gid("Inbox", inbox.id), gid("Inbox", inbox.id + 1000)],
            "queue": [gid("Queue", queue.id)],
            "creator": [gid("User", admin.user_id)],
            "senderOrRecipient": [f"in-{admin.organization_id}@x.test", "x@y.test"],
        },
    }
    await admin.data("{ viewer { id } }")

    # When the page is asked by DATE, through list filters, with 10 and 100 emails
    small, small_data = await _count_statements(
        admin, sql_counter, EMAILS_PAGE, 10, **variables
    )
    small_sql = list(sql_counter.statements)
    large, large_data = await _count_statements(
        admin, sql_counter, EMAILS_PAGE, 100, **variables
    )
    large_sql = list(sql_counter.statements)

    # Then the dated emails come first, newest first, and the pages are full
    nodes = [e["node"] for e in large_data["emails"]["edges"]]
    assert [n["id"] for n in nodes[:5]] == [gid("Email", pk) for pk in dated[::-1]]
    assert all(n["date"] is None for n in nodes[5:])
    assert len(small_data["emails"]["edges"]) == 10 and len(nodes) == 100
    assert large_data["emails"]["totalCount"] == 120

    # And both cost the same number of SQL statements
    print(f"DATE page SQL statements: first 10 = {small}, first 100 = {large}")
    assert small == large, "\n".join(
        ["--- first: 10", *small_sql, "--- first: 100", *large_sql]
    )


async def test_email_threads_page_costs_the_same_statements_at_10_and_50(
    admin, sql_counter
):
    # Given an organization with 60 threads of 1 to 3 emails each
    await _seed(admin.organization_id, admin.user_id)

    # When the thread list is asked with 10 and with 50 threads
    await admin.data("{ viewer { id } }")  # the token's one lastUsedAt write
    small, small_data = await _count_statements(admin, sql_counter, THREADS_PAGE, 10)
    small_sql = list(sql_counter.statements)
    large, large_data = await _count_statements(admin, sql_counter, THREADS_PAGE, 50)
    large_sql = list(sql_counter.statements)

    # Then the pages are full, with labels, counts and root emails
    assert small >= 3, small_sql
    assert len(small_data["emailThreads"]["edges"]) == 10
    assert len(large_data["emailThreads"]["edges"]) == 50
    assert large_data["emailThreads"]["totalCount"] == THREADS
    nodes = [e["node"] for e in large_data["emailThreads"]["edges"]]
    assert all(n["rootEmail"] and n["queue"] for n in nodes)
    assert any(n["labels"] for n in nodes)
    assert all(n["annotationCounts"]["annotations"] >= 0 for n in nodes)
    assert any(n["annotationCounts"]["relatedAnnotations"] for n in nodes)

    # And both cost the same number of SQL statements
    print(f"threads page SQL statements: first 10 = {small}, first 50 = {large}")
    assert small == large, "\n".join(
        ["--- first: 10", *small_sql, "--- first: 50", *large_sql]
    )
