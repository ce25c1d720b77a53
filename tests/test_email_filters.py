"""`emails(filter, orderBy)`: every filter, their combinations, every ordering, and the
annotation counts shown on emails and threads — all through HTTP GraphQL, over rows
created through the mail service."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from app.accounts.models import Role
from app.documents.models import Annotation, AnnotationStatus, Document
from app.inboxes.models import Inbox, Queue
from app.mail.models import (
    DeliveryStatus,
    Email,
    EmailRelatedAnnotation,
    EmailStatus,
    EmailType,
    Label,
)
from tests.emailfactory import at, email_gid, gid, make_email, make_queue, thread_of

EMAILS = """
query($filter: EmailFilter, $orderBy: EmailOrder) {
  emails(filter: $filter, orderBy: $orderBy, first: 100) {
    totalCount
    nodes { id subject }
  }
}"""


async def subjects(actor, filter: dict[str, Any] | None) -> set[str]:
    """The subjects the `emails` query returns for a filter (each at most once)."""
    data = await actor.data(EMAILS, {"filter": filter})
    nodes = data["emails"]["nodes"]
    found = [n["subject"] for n in nodes]
    assert len(found) == len(set(found)), f"an email is listed twice: {found}"
    assert data["emails"]["totalCount"] == len(found)
    return set(found)


# --- the seeded mailbox ------------------------------------------------------------


@dataclass
class Mailbox:
    """Six emails of one organization (keyed by a short name; subjects are unique),
    and an organization next door with look-alike rows."""

    emails: dict[str, Email]
    main_queue: Queue
    other_queue: Queue
    inbox: Inbox
    admin_id: int
    manager_id: int
    foreign: dict[str, str]  # global ids of the other organization's objects

    def ids(self, *names: str) -> list[str]:
        return [email_gid(self.emails[n]) for n in names]


SUBJECT = {
    "invoice": "Invoice 1001",
    "reply": "Re: Invoice 1001",
    "po": "Purchase order 77",
    "statement": "Quarterly statement",
    "spam": "Spam offer",
    "bounce": "Delivery failed notice",
}
ALL = set(SUBJECT.values())


def only(*names: str) -> set[str]:
    return {SUBJECT[n] for n in names}


def all_but(*names: str) -> set[str]:
    return ALL - only(*names)


@pytest.fixture
async def mailbox(admin, make_org) -> Mailbox:
    org = admin.organization_id
    manager = await admin.add_user(Role.MANAGER)
    main = await make_queue(org, "Main")
    other = await make_queue(org, "Other")
    inbox = await Inbox.create(organization_id=org, queue=main, email="ap@in.example")
    ap = "ap@acme.example"

    invoice = await make_email(
        org,
        main.id,
        created_at=at(1),
        subject=SUBJECT["invoice"],
        from_address="Alice@Vendor.example",
        from_name="Alice Archer",
        to=["ap@acme.example"],
        cc=["boss@acme.example"],
        inbox_id=inbox.id,
        body_text_plain="Please find attached the invoice.",
        unread=True,
    )
    reply = await make_email(
        org,
        main.id,
        created_at=at(2),
        subject=SUBJECT["reply"],
        thread=await thread_of(invoice),
        type=EmailType.OUTGOING,
        from_address=ap,
        from_name="Accounts Payable",
        to=["alice@vendor.example"],
        labels=[Label.REPLY],
        creator_id=admin.user_id,
        delivery_status=DeliveryStatus.SENT,
        status=EmailStatus.RESOLVED,
        unread=False,
        body_text_plain="Thanks, received.",
    )
    po = await make_email(
        org,
        other.id,
        created_at=at(3),
        subject=SUBJECT["po"],
        from_address="bob@supplier.example",
        from_name="Bob Builder",
        to=["ap@acme.example"],
        bcc=["audit@acme.example"],
        labels=[Label.REJECTED],
        status=EmailStatus.DISMISSED,
        unread=False,
        body_text_plain="PO attached; delivery next week.",
    )
    statement = await make_email(
        org,
        main.id,
        created_at=at(4),
        subject=SUBJECT["statement"],
        type=EmailType.OUTGOING,
        from_address=ap,
        to=["carol@client.example"],
        labels=[Label.FORWARDED],
        creator_id=manager.user_id,
        delivery_status=DeliveryStatus.QUEUED,
        unread=False,
    )
    spam = await make_email(
        org,
        main.id,
        created_at=at(5),
        subject=SUBJECT["spam"],
        from_address="promo@spam.example",
        from_name="Deals Team",
        to=["info@acme.example"],
        inbox_id=inbox.id,
        labels=[Label.AUTOMATIC_REJECTION, Label.REJECTION],
        body_text_plain="Click for an invoice discount!",
        unread=True,
    )
    bounce = await make_email(
        org,
        main.id,
        created_at=at(6),
        subject=SUBJECT["bounce"],
        type=EmailType.OUTGOING,
        from_address=ap,
        to=["dave@gone.example"],
        creator_id=manager.user_id,
        delivery_status=DeliveryStatus.FAILED,
        unread=False,
    )
    await Document.create(
        organization_id=org, email=invoice, original_file_name="i.pdf"
    )
    await Document.create(organization_id=org, email=po, original_file_name="po.pdf")
    # A document not (or no longer) attached to any email.
    await Document.create(
        organization_id=org, email=None, original_file_name="loose.pdf"
    )

    # Next door: the same subjects and addresses, which must never show up.
    neighbour = await make_org("Globex")
    n_queue = await make_queue(neighbour.organization_id, "Main")
    n_inbox = await Inbox.create(
        organization_id=neighbour.organization_id,
        queue=n_queue,
        email="ap@globex.example",
    )
    n_email = await make_email(
        neighbour.organization_id,
        n_queue.id,
        created_at=at(1),
        subject=SUBJECT["invoice"],
        from_address="alice@vendor.example",
        to=["ap@acme.example"],
        inbox_id=n_inbox.id,
        creator_id=neighbour.user_id,
        body_text_plain="invoice",
    )
    await Document.create(organization_id=neighbour.organization_id, email=n_email)

    return Mailbox(
        emails={
            "invoice": invoice,
            "reply": reply,
            "po": po,
            "statement": statement,
            "spam": spam,
            "bounce": bounce,
        },
        main_queue=main,
        other_queue=other,
        inbox=inbox,
        admin_id=admin.user_id,
        manager_id=manager.user_id,
        foreign={
            "email": email_gid(n_email),
            "queue": gid("Queue", n_queue.id),
            "inbox": gid("Inbox", n_inbox.id),
            "thread": gid("EmailThread", n_email.email_thread_id),
            "user": gid("User", neighbour.user_id),
        },
    )


# --- one filter at a time ----------------------------------------------------------


async def test_no_filter_lists_every_email_of_the_organization_and_no_other(
    admin, mailbox
):
    assert await subjects(admin, None) == ALL
    assert await subjects(admin, {}) == ALL


async def test_ids_filter_matches_exactly_the_named_emails(admin, mailbox):
    assert await subjects(admin, {"ids": mailbox.ids("invoice", "po")}) == only(
        "invoice", "po"
    )
    assert await subjects(admin, {"ids": mailbox.ids("spam")}) == only("spam")
    assert await subjects(admin, {"ids": []}) == set()


async def test_ids_of_another_type_or_malformed_match_nothing(admin, mailbox):
    invoice = mailbox.emails["invoice"]
    # Same primary key, wrong type: not an email id.
    assert await subjects(admin, {"ids": [gid("Queue", invoice.id)]}) == set()
    assert (
        await subjects(admin, {"ids": ["not-a-global-id", gid("Email", "x1")]}) == set()
    )
    # Mixed: the good one still matches.
    mixed = [gid("EmailThread", invoice.id), *mailbox.ids("po")]
    assert await subjects(admin, {"ids": mixed}) == only("po")


@pytest.mark.parametrize(
    ("filter_of", "expected"),
    [
        (lambda m: {"queue": gid("Queue", m.main_queue.id)}, all_but("po")),
        (lambda m: {"queue": gid("Queue", m.other_queue.id)}, only("po")),
        (lambda m: {"inbox": gid("Inbox", m.inbox.id)}, only("invoice", "spam")),
        (
            lambda m: {
                "thread": gid("EmailThread", m.emails["invoice"].email_thread_id)
            },
            only("invoice", "reply"),
        ),
        (
            lambda m: {"thread": gid("EmailThread", m.emails["po"].email_thread_id)},
            only("po"),
        ),
        (lambda m: {"creator": gid("User", m.admin_id)}, only("reply")),
        (lambda m: {"creator": gid("User", m.manager_id)}, only("statement", "bounce")),
    ],
    ids=[
        "queue-main",
        "queue-other",
        "inbox",
        "thread-pair",
        "thread-single",
        "creator-admin",
        "creator-manager",
    ],
)
async def test_filter_by_related_object(admin, mailbox, filter_of, expected):
    assert await subjects(admin, filter_of(mailbox)) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"type": "INCOMING"}, only("invoice", "po", "spam")),
        ({"type": "OUTGOING"}, only("reply", "statement", "bounce")),
        ({"status": ["UNRESOLVED"]}, all_but("reply", "po")),
        ({"status": ["RESOLVED", "DISMISSED"]}, only("reply", "po")),
        ({"status": ["DISMISSED"]}, only("po")),
        ({"labels": ["REPLY", "FORWARDED"]}, only("reply", "statement")),
        ({"labels": ["REJECTION"]}, only("spam")),
        # Both of spam's labels: still listed once.
        ({"labels": ["AUTOMATIC_REJECTION", "REJECTION"]}, only("spam")),
        ({"labels": ["AUTOMATIC_STATUS_CHANGED_INFO"]}, set()),
        ({"deliveryStatus": ["SENT", "FAILED"]}, only("reply", "bounce")),
        ({"deliveryStatus": ["QUEUED"]}, only("statement")),
        ({"deliveryStatus": ["SCHEDULED", "CANCELLED", "EXPIRED"]}, set()),
        ({"unread": True}, only("invoice", "spam")),
        ({"unread": False}, all_but("invoice", "spam")),
        ({"hasDocuments": True}, only("invoice", "po")),
        ({"hasDocuments": False}, all_but("invoice", "po")),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_column(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # from: the sender address, exactly, whatever the case.
        ({"from": "alice@vendor.example"}, only("invoice")),
        ({"from": "ALICE@Vendor.EXAMPLE"}, only("invoice")),
        ({"from": "ap@acme.example"}, only("reply", "statement", "bounce")),
        ({"from": "vendor.example"}, set()),
        ({"from": "carol@client.example"}, set()),  # a recipient, not a sender
        # to: any of to/cc/bcc, not the sender.
        ({"to": "AP@acme.example"}, only("invoice", "po")),
        ({"to": "boss@acme.example"}, only("invoice")),  # cc
        ({"to": "audit@acme.example"}, only("po")),  # bcc
        ({"to": "alice@vendor.example"}, only("reply")),
        ({"to": "promo@spam.example"}, set()),  # a sender only
        # senderOrRecipient: either side.
        ({"senderOrRecipient": "Alice@vendor.example"}, only("invoice", "reply")),
        ({"senderOrRecipient": "audit@acme.example"}, only("po")),
        (
            {"senderOrRecipient": "ap@acme.example"},
            only("invoice", "reply", "po", "statement", "bounce"),
        ),
        ({"senderOrRecipient": "nobody@acme.example"}, set()),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_address(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            {"createdAfter": at(2.5).isoformat()},
            only("po", "statement", "spam", "bounce"),
        ),
        ({"createdBefore": at(2.5).isoformat()}, only("invoice", "reply")),
        (
            {"createdAfter": at(1.5).isoformat(), "createdBefore": at(4.5).isoformat()},
            only("reply", "po", "statement"),
        ),
        ({"createdAfter": at(6.5).isoformat()}, set()),
        ({"createdBefore": at(0.5).isoformat()}, set()),
        # The same instants written in other time zones (09:02:30Z = at(2.5)).
        (
            {"createdAfter": "2024-03-01T11:02:30+02:00"},
            only("po", "statement", "spam", "bounce"),
        ),
        ({"createdBefore": "2024-03-01T04:02:30-05:00"}, only("invoice", "reply")),
    ],
    ids=[
        "after",
        "before",
        "between",
        "after-all",
        "before-all",
        "after-+02:00",
        "before--05:00",
    ],
)
async def test_filter_by_creation_time(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


async def test_a_time_without_offset_is_read_as_utc_or_refused(admin, mailbox):
    # 09:02:30 with no offset: either UTC (the service's zone) or a BAD_REQUEST,
    # never an internal error.
    body = await admin.gql(EMAILS, {"filter": {"createdAfter": "2024-03-01T09:02:30"}})
    if "errors" in body:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
    else:
        found = {n["subject"] for n in body["data"]["emails"]["nodes"]}
        assert found == only("po", "statement", "spam", "bounce")


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # subject: contains, case-insensitive; the subject only.
        ({"subject": "INVOICE"}, only("invoice", "reply")),
        ({"subject": "order 7"}, only("po")),
        ({"subject": "Re:"}, only("reply")),
        ({"subject": "discount"}, set()),  # in a body, not a subject
        ({"subject": "xyz"}, set()),
        # search: subject, sender/recipient addresses, sender name and plain body.
        ({"search": "invoice"}, only("invoice", "reply", "spam")),  # spam: body
        ({"search": "BUILDER"}, only("po")),  # sender name
        ({"search": "deals team"}, only("spam")),  # sender name
        ({"search": "carol@client"}, only("statement")),  # recipient address, partly
        ({"search": "SUPPLIER.example"}, only("po")),  # sender address, partly
        ({"search": "audit@"}, only("po")),  # bcc address
        ({"search": "next week"}, only("po")),  # plain body
        ({"search": "  quarterly  "}, only("statement")),  # surrounding blanks ignored
        ({"search": "no such words"}, set()),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
async def test_filter_by_text(admin, mailbox, filter, expected):
    assert await subjects(admin, filter) == expected


# --- combinations and foreign ids ----------------------------------------------------


@pytest.mark.parametrize(
    ("filter_of", "expected"),
    [
        (lambda m: {"type": "INCOMING", "unread": True}, only("invoice", "spam")),
        (
            lambda m: {
                "from": "ap@acme.example",
                "deliveryStatus": ["SENT", "QUEUED"],
                "labels": ["REPLY"],
            },
            only("reply"),
        ),
        (lambda m: {"search": "invoice", "hasDocuments": True}, only("invoice")),
        (
            lambda m: {
                "queue": gid("Queue", m.main_queue.id),
                "status": ["UNRESOLVED"],
                "createdAfter": at(3.5).isoformat(),
            },
            only("statement", "spam", "bounce"),
        ),
        (
            lambda m: {
                "thread": gid("EmailThread", m.emails["invoice"].email_thread_id),
                "type": "OUTGOING",
            },
            only("reply"),
        ),
        (
            lambda m: {
                "ids": m.ids("invoice", "reply", "po"),
                "to": "ap@acme.example",
                "subject": "invoice",
            },
            only("invoice"),
        ),
        (
            lambda m: {
                "senderOrRecipient": "ap@acme.example",
                "creator": gid("User", m.manager_id),
                "unread": False,
                "deliveryStatus": ["FAILED"],
            },
            only("bounce"),
        ),
        # Conditions that exclude each other match nothing.
        (lambda m: {"type": "OUTGOING", "inbox": gid("Inbox", m.inbox.id)}, set()),
        (lambda m: {"hasDocuments": True, "labels": ["REPLY"]}, set()),
    ],
)
async def test_conditions_combine_with_and(admin, mailbox, filter_of, expected):
    assert await subjects(admin, filter_of(mailbox)) == expected


@pytest.mark.parametrize("kind", ["email", "queue", "inbox", "thread", "user"])
async def test_ids_of_another_organization_match_nothing(admin, mailbox, kind):
    key = {
        "email": "ids",
        "queue": "queue",
        "inbox": "inbox",
        "thread": "thread",
        "user": "creator",
    }[kind]
    value = mailbox.foreign[kind]
    assert await subjects(admin, {key: [value] if key == "ids" else value}) == set()


@pytest.mark.parametrize(
    ("key", "value_of"),
    [
        ("queue", lambda m: gid("Inbox", m.inbox.id)),
        ("queue", lambda m: gid("Queue", "main")),
        ("inbox", lambda m: gid("Queue", m.main_queue.id)),
        ("thread", lambda m: email_gid(m.emails["invoice"])),
        ("creator", lambda m: gid("Queue", m.admin_id)),
        ("creator", lambda m: "garbage"),
    ],
)
async def test_related_ids_of_the_wrong_type_match_nothing(
    admin, mailbox, key, value_of
):
    assert await subjects(admin, {key: value_of(mailbox)}) == set()


@pytest.mark.parametrize(
    ("key", "type_name"),
    [
        ("ids", "Email"),
        ("queue", "Queue"),
        ("inbox", "Inbox"),
        ("thread", "EmailThread"),
        ("creator", "User"),
    ],
)
async def test_ids_beyond_any_primary_key_match_nothing(admin, mailbox, key, type_name):
    # A well-formed global id whose key no row can have (beyond 32-bit keys).
    value = gid(type_name, 10**11)
    assert await subjects(admin, {key: [value] if key == "ids" else value}) == set()


async def test_look_alike_rows_of_another_organization_never_match(admin, mailbox):
    # The neighbour has an email with the same subject, sender and recipient.
    data = await admin.data(EMAILS, {"filter": {"from": "alice@vendor.example"}})
    assert [n["id"] for n in data["emails"]["nodes"]] == mailbox.ids("invoice")
    assert data["emails"]["totalCount"] == 1


# --- text matching edge cases --------------------------------------------------------


async def test_like_wildcards_in_subject_and_search_match_literally(admin):
    org = admin.organization_id
    queue = await make_queue(org)
    for minute, subject in enumerate(
        ["100% paid", "1000 paid", "rate_card", "ratexcard"]
    ):
        await make_email(org, queue.id, created_at=at(minute), subject=subject)

    assert await subjects(admin, {"subject": "100%"}) == {"100% paid"}
    assert await subjects(admin, {"subject": "e_c"}) == {"rate_card"}
    assert await subjects(admin, {"search": "0%"}) == {"100% paid"}
    assert await subjects(admin, {"search": "_"}) == {"rate_card"}


async def test_subject_and_search_ignore_case_beyond_ascii(admin):
    org = admin.organization_id
    queue = await make_queue(org)
    await make_email(org, queue.id, created_at=at(1), subject="Faktura č. 2024/17")
    await make_email(org, queue.id, created_at=at(2), subject="Über die Rechnung")
    await make_email(org, queue.id, created_at=at(3), subject="Plain ascii")

    assert await subjects(admin, {"subject": "FAKTURA Č."}) == {"Faktura č. 2024/17"}
    assert await subjects(admin, {"subject": "über"}) == {"Über die Rechnung"}
    assert await subjects(admin, {"search": "ÜBER DIE"}) == {"Über die Rechnung"}


# --- orderings ----------------------------------------------------------------------

ORDERED = """
query($orderBy: EmailOrder) {
  emails(orderBy: $orderBy, first: 100) {
    nodes { id subject createdAt lastThreadEmailCreatedAt }
  }
}"""


@dataclass
class Ordered:
    emails: dict[str, Email]
    # The sort key of each email for each order field, as the design defines it.
    keys: dict[str, dict[str, Any]]

    def expected(self, field: str, descending: bool) -> list[str]:
        """Global ids sorted by (key, id): ties broken by id, in the same direction."""
        names = sorted(
            self.emails, key=lambda n: (self.keys[field][n], self.emails[n].id)
        )
        if descending:
            names.reverse()
        return [email_gid(self.emails[n]) for n in names]


@pytest.fixture
async def ordered(admin) -> Ordered:
    """Emails whose creation times, subjects and thread activity tie on purpose."""
    org = admin.organization_id
    queue = await make_queue(org)
    e: dict[str, Email] = {}
    created: dict[str, int] = {}

    async def add(name, minute, subject, thread_with=None):
        thread = await thread_of(e[thread_with]) if thread_with else None
        e[name] = await make_email(
            org, queue.id, created_at=at(minute), subject=subject, thread=thread
        )
        created[name] = minute

    await add("a", 10, "bravo")  # thread T1
    await add("b", 20, "alpha")  # thread T2
    await add("c", 20, "bravo")  # thread T3; created with b, subject of a
    await add("d", 30, "charlie", thread_with="a")  # T1 now last active at 30
    await add("e", 5, "alpha", thread_with="b")  # older than T2's last email
    await add("f", 25, "delta")  # thread T4
    await add("g", 30, "alpha")  # thread T5; created with d, subject of b and e
    await add("h", 20, "echo", thread_with="c")  # T3 stays at 20
    # Each email's thread's newest creation time: T1 30, T2 20, T3 20, T4 25, T5 30.
    thread_last = dict(a=30, d=30, b=20, e=20, c=20, h=20, f=25, g=30)
    return Ordered(
        emails=e,
        keys={
            "CREATED_AT": created,
            "SUBJECT": {n: row.subject for n, row in e.items()},
            "LAST_THREAD_EMAIL": thread_last,
        },
    )


@pytest.mark.parametrize("field", ["CREATED_AT", "SUBJECT", "LAST_THREAD_EMAIL"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_every_ordering_breaks_ties_by_id(admin, ordered, field, descending):
    data = await admin.data(
        ORDERED, {"orderBy": {"field": field, "descending": descending}}
    )
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        field, descending
    )


async def test_default_order_is_newest_first_and_descending(admin, ordered):
    data = await admin.data(ORDERED)
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        "CREATED_AT", True
    )
    data = await admin.data(ORDERED, {"orderBy": {"field": "SUBJECT"}})
    assert [n["id"] for n in data["emails"]["nodes"]] == ordered.expected(
        "SUBJECT", True
    )


async def test_last_thread_email_is_the_newest_email_of_the_thread(admin, ordered):
    data = await admin.data(ORDERED, {"orderBy": {"field": "CREATED_AT"}})
    shown = {n["id"]: n["lastThreadEmailCreatedAt"] for n in data["emails"]["nodes"]}
    for name, minute in ordered.keys["LAST_THREAD_EMAIL"].items():
        assert datetime.fromisoformat(shown[email_gid(ordered.emails[name])]) == at(
            minute
        ), name


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
        assert by_email[email_gid(email)] == recount(
            stored[email.id], related[email.id]
        )
    assert by_email[email_gid(first)] == {
        "annotations": 10,
        "annotationsProcessed": 3,
        "annotationsPurged": 2,
        "annotationsUnprocessed": 4,
        "annotationsRejected": 1,
        "relatedAnnotations": 3,
    }
    assert by_email[email_gid(quiet)] == recount([], 0)

    thread_statuses = stored[first.id] + stored[second.id] + stored[quiet.id]
    # Distinct annotations related to any email of the thread: first's own, the shared
    # one (related twice) and the one elsewhere.
    assert data["emailThread"]["annotationCounts"] == recount(thread_statuses, 3)
    assert data["emailThread"]["annotationCounts"]["annotations"] == 13
