"""The import pipeline end to end: importEmail over HTTP, a real arq burst worker,
the stored Email / Documents / Annotations as the API shows them, and the content
routes. The corpus (tests/mailcorpus.py) is what real mail looks like, damage included.
"""

import base64
import gc
import hashlib
import json
import logging
import uuid
import warnings
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from app.accounts.models import Role
from app.documents.models import Annotation, Document
from app.inboxes.models import Inbox, Queue
from app.intake.parsing import MAX_PARTS
from app.mail.models import Email
from app.settings import get_settings
from app.tasks.models import Task
from tests import mailcorpus as mc
from tests.helpers import Actor

IMPORT = """
mutation Import($input: ImportEmailInput!) {
  importEmail(input: $input) {
    __typename
    ... on Task { id status kind }
    ... on InputError { code field message }
  }
}"""

TASK = """
query Task($id: ID!) {
  task(id: $id) {
    id status attempts error { code message }
    email {
      id subject messageId bodyTextPlain bodyTextHtml bodyTruncated metadata
      filteredOutDocumentCount parseDefects contentUrl type
      from { email name } to { email name } cc { email name }
      threadMatch { method matchedEmail { id } }
      parent { id }
      emailThread { id }
      parts {
        partId contentType disposition contentId filename charset size outcome
        document { id sha256 }
      }
      documents {
        id originalFileName mimeType size sha256 contentUrl
        annotations { id status metadata values queue { id } }
      }
      annotations { id status }
    }
  }
}"""


# ---------------------------------------------------------------------------
# Helpers (test_threading.py uses them too)


def gid(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk_of(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def make_inbox(
    organization_id: int, email: str = mc.INBOX, **settings: Any
) -> Inbox:
    queue = await Queue.create(
        organization_id=organization_id, name=f"Queue for {email}"
    )
    return await Inbox.create(
        organization_id=organization_id,
        queue=queue,
        email=email,
        name="Intake",
        **settings,
    )


async def import_email(
    actor: Actor, raw: bytes, recipient: str = mc.INBOX, **extra: Any
) -> dict[str, Any]:
    """importEmail with rawMessageBase64; the ImportEmailResult."""
    variables = {
        "input": {
            "rawMessageBase64": base64.b64encode(raw).decode(),
            "recipient": recipient,
            **extra,
        }
    }
    return (await actor.data(IMPORT, variables))["importEmail"]


async def queued_task(actor: Actor, raw: bytes, **extra: Any) -> str:
    result = await import_email(actor, raw, **extra)
    assert result["__typename"] == "Task", result
    assert result["status"] == "QUEUED" and result["kind"] == "IMPORT_EMAIL"
    return result["id"]


async def task_of(actor: Actor, task_id: str) -> dict[str, Any]:
    return (await actor.data(TASK, {"id": task_id}))["task"]


async def imported(
    actor: Actor, run_jobs: Any, raw: bytes, **extra: Any
) -> dict[str, Any]:
    """Import one message, run the worker, return the finished task."""
    task_id = await queued_task(actor, raw, **extra)
    await run_jobs()
    return await task_of(actor, task_id)


async def imported_email(
    actor: Actor, run_jobs: Any, raw: bytes, **extra: Any
) -> dict[str, Any]:
    task = await imported(actor, run_jobs, raw, **extra)
    assert task["status"] == "SUCCEEDED", task
    assert task["error"] is None
    return task["email"]


async def download(
    actor: Actor, url: str, *, token: str | None = "actor"
) -> httpx.Response:
    """GET a content URL (as the actor, with another token, or anonymously)."""
    headers = {}
    if token == "actor":
        headers["Authorization"] = f"Bearer {actor.token}"
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await actor.client.get(urlparse(url).path, headers=headers)


def parts_by_id(email: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["partId"]: p for p in email["parts"]}


def docs_by_sha(email: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["sha256"]: d for d in email["documents"]}


async def task_rows(organization_id: int) -> int:
    return await Task.filter(organization_id=organization_id).count()


async def assert_documents_downloadable(actor: Actor, email: dict[str, Any]) -> None:
    """Each document's bytes come back from /content/documents/{id} as hashed."""
    for document in email["documents"]:
        response = await download(actor, document["contentUrl"])
        assert response.status_code == 200, response.text
        assert sha(response.content) == document["sha256"]
        assert len(response.content) == document["size"]
        assert response.headers["content-disposition"].startswith("attachment")


async def assert_worker_alive(actor: Actor, run_jobs: Any, marker: str) -> None:
    """After whatever came before, a normal message still imports."""
    payload = mc.pdf(f"alive {marker}")
    email = await imported_email(
        actor,
        run_jobs,
        mc.simple(
            message_id=f"<alive-{marker}@vendor.test>",
            subject=f"alive {marker}",
            attachments=[("alive.pdf", payload)],
        ),
    )
    assert [d["sha256"] for d in email["documents"]] == [sha(payload)]


def multipart_upload(
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, Any]],
) -> dict[str, Any]:
    """The GraphQL multipart request spec: operations, map, then one field per file.
    `files` maps a variable path ("variables.input.rawMessage") to (name, bytes)."""
    operations = json.dumps({"query": query, "variables": variables})
    mapping = {str(i): [path] for i, path in enumerate(files)}
    form_files = {
        str(i): (name, data, "message/rfc822")
        for i, (name, data) in enumerate(files.values())
    }
    return {
        "data": {"operations": operations, "map": json.dumps(mapping)},
        "files": form_files,
    }


async def post_multipart(
    actor: Actor,
    request: dict[str, Any],
    *,
    preflight: bool = True,
    unclosed: list[str] | None = None,
) -> httpx.Response:
    """POST a multipart request, then collect garbage, so an upload the server left
    unclosed warns in this test (an error under filterwarnings=error). With
    `unclosed`, those warnings are recorded in that list instead."""
    headers = {"Authorization": f"Bearer {actor.token}"}
    if preflight:
        headers["GraphQL-Preflight"] = "1"
    if unclosed is None:
        response = await actor.client.post("/graphql", headers=headers, **request)
        gc.collect()
        return response
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        logging.disable(logging.CRITICAL)
        try:
            response = await actor.client.post("/graphql", headers=headers, **request)
            gc.collect()
        finally:
            logging.disable(logging.NOTSET)
    unclosed += [
        str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
    ]
    return response


# ---------------------------------------------------------------------------
# The corpus as a whole


async def test_every_corpus_message_ends_cleanly_and_the_worker_survives(
    admin, run_jobs
):
    # given an inbox and every everyday and damaged message of the corpus
    await make_inbox(admin.organization_id)
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


# ---------------------------------------------------------------------------
# Everyday mail


async def test_outlook_inline_image_is_filtered_and_html_sanitized(
    admin, run_jobs, make_org
):
    # given an inbox and an Outlook message: related > alternative + cid logo, + PDF
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.outlook_related())
    # then each MIME part says what became of it
    parts = parts_by_id(email)
    assert {k: p["outcome"] for k, p in parts.items()} == {
        "1": None,
        "1.1": None,
        "1.1.1": None,  # containers
        "1.1.1.1": "BODY",
        "1.1.1.2": "BODY",
        "1.1.2": "FILTERED_INLINE",
        "1.2": "DOCUMENT",
    }
    assert parts["1.1.2"]["contentId"] == mc.OUTLOOK_CID
    assert parts["1.1.2"]["contentType"] == "image/png"
    assert parts["1.1.2"]["document"] is None
    # and only the PDF became a document; the inline logo is counted as filtered out
    assert email["filteredOutDocumentCount"] == 1
    [document] = email["documents"]
    assert document["originalFileName"] == "Invoice 2024-001.pdf"
    assert document["mimeType"] == "application/pdf"
    assert document["sha256"] == sha(mc.INVOICE_PDF)
    assert document["size"] == len(mc.INVOICE_PDF)
    assert parts["1.2"]["document"] == {
        "id": document["id"],
        "sha256": document["sha256"],
    }
    response = await download(admin, document["contentUrl"])
    assert response.content == mc.INVOICE_PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    # and the addresses are decoded
    assert email["from"] == {"email": "jan.novak@vendor.test", "name": "Novák, Jan"}
    assert email["cc"] == [{"email": "accounts@vendor.test", "name": "Accounts"}]
    assert email["to"][0]["email"] == mc.INBOX
    # and the plain body is the text part
    assert (
        email["bodyTextPlain"].split()
        == "Dear team, Please find the invoice attached.".split()
    )
    assert email["bodyTruncated"] is False
    # and the HTML is sanitized: no script, no event handlers, nothing remote to load
    html = email["bodyTextHtml"]
    lowered = html.lower()
    assert "<script" not in lowered and "alert(" not in lowered
    for handler in ("onload", "onclick", "onmouseover"):
        assert handler not in lowered
    assert "tracker.example.net" not in html  # no remote src, srcset, background, css
    assert "evil.example" not in html  # no iframe, no form
    for vector in (
        "javascript:",
        "data:",
        "onerror",
        "<iframe",
        "<form",
        "<svg",
        "<link",
        "style=",
    ):
        assert vector not in lowered, vector
    assert "Please find the invoice attached." in html
    assert 'href="https://vendor.test/portal"' in html
    # and the cid: image points at the authenticated part URL of this email
    part_path = f"/content/emails/{email['id']}/parts/1.1.2"
    assert f"cid:{mc.OUTLOOK_CID}" not in html
    assert part_path in html
    image = await download(admin, part_path)
    assert image.status_code == 200
    assert image.content == mc.LOGO_PNG
    assert image.headers["content-type"] == "image/png"
    # which needs a token, and is not served to another organization
    assert (await download(admin, part_path, token=None)).status_code == 401
    other = await make_org("Other")
    assert (await download(admin, part_path, token=other.token)).status_code == 404
    assert (
        await download(admin, document["contentUrl"], token=None)
    ).status_code == 401
    assert (
        await download(admin, document["contentUrl"], token=other.token)
    ).status_code == 404
    # and a part that is not an inline image is not served there
    assert (
        await download(admin, f"/content/emails/{email['id']}/parts/1.2")
    ).status_code == 404


async def test_gmail_attachments_become_documents_with_annotations(admin, run_jobs):
    # given an inbox and a Gmail message with a PDF, a JPEG and a CSV
    inbox = await make_inbox(admin.organization_id)
    metadata = {"source": "scanner", "batch": 7, "nested": {"a": [1, 2]}}
    values = {"emails_import:order": "PO-77", "emails_import:amount": 12.5}
    # when it is imported with metadata and values
    email = await imported_email(
        admin, run_jobs, mc.gmail_mixed(), metadata=metadata, values=values
    )
    # then the three attachments are documents with the sha256 of the bytes sent
    documents = docs_by_sha(email)
    assert set(documents) == {sha(mc.GMAIL_PDF), sha(mc.PHOTO_JPEG), sha(mc.CSV)}
    expected = {
        sha(mc.GMAIL_PDF): ("statement.pdf", "application/pdf", mc.GMAIL_PDF),
        sha(mc.PHOTO_JPEG): ("photo.jpg", "image/jpeg", mc.PHOTO_JPEG),
        sha(mc.CSV): ("items.csv", "text/csv", mc.CSV),
    }
    for digest, (name, mime, data) in expected.items():
        document = documents[digest]
        assert (document["originalFileName"], document["mimeType"]) == (name, mime)
        assert document["size"] == len(data)
        assert (await download(admin, document["contentUrl"])).content == data
    assert email["filteredOutDocumentCount"] == 0
    assert [p["outcome"] for p in email["parts"]] == [
        None,
        None,
        "BODY",
        "BODY",
        "DOCUMENT",
        "DOCUMENT",
        "DOCUMENT",
    ]
    # and each document has one annotation TO_REVIEW in the inbox's queue, with the
    # input metadata and values
    queue_gid = gid("Queue", inbox.queue_id)
    for document in email["documents"]:
        [annotation] = document["annotations"]
        assert annotation["status"] == "TO_REVIEW"
        assert annotation["metadata"] == metadata
        assert annotation["values"] == values
        assert annotation["queue"]["id"] == queue_gid
    assert len(email["annotations"]) == 3
    assert email["metadata"] == metadata
    # and the stored rows agree
    email_pk = int(pk_of(email["id"]))
    assert await Document.filter(email_id=email_pk).count() == 3
    assert await Annotation.filter(email_id=email_pk, status="TO_REVIEW").count() == 3


async def test_file_names_are_decoded_and_sanitized(admin, run_jobs):
    # given attachments named with RFC 2231 and RFC 2047 in several charsets, and
    # hostile names (path traversal, a Windows path, control characters)
    await make_inbox(admin.organization_id)
    # when the message is imported
    email = await imported_email(admin, run_jobs, mc.international_names())
    # then every file name is decoded and safe
    documents = docs_by_sha(email)
    assert len(documents) == len(mc.NAMED_FILES)
    for _, expected_name, data in mc.NAMED_FILES:
        assert documents[sha(data)]["originalFileName"] == expected_name
    for part in email["parts"]:
        name = part["filename"] or ""
        assert "/" not in name and "\\" not in name, name
        assert not any(ord(c) < 32 or ord(c) == 127 for c in name), name
    # and the encoded subject and sender name too
    assert email["subject"] == "Pièces jointes"
    assert email["from"] == {"email": "jiri@vendor.test", "name": "Jiří"}
    # and the download carries the safe name
    passwd = documents[sha(mc.NAMED_FILES[6][2])]
    response = await download(admin, passwd["contentUrl"])
    assert 'filename="passwd"' in response.headers["content-disposition"]


async def test_every_part_file_name_is_sanitized(admin, run_jobs):
    # given hostile names on parts that do not become documents: an attached message
    # and an inline text part
    await make_inbox(admin.organization_id)
    raw = mc.forward_chain(1).replace(
        b'filename="forward-1.eml"', b"filename*=utf-8''..%2F..%2Fetc%2Ffwd%07.eml"
    )
    assert raw != mc.forward_chain(1)
    inline = (
        b"From: a@vendor.test\r\nTo: " + mc.INBOX.encode() + b"\r\nSubject: inline\r\n"
        b"Message-ID: <inline-name@vendor.test>\r\nContent-Type: text/plain\r\n"
        b"Content-Disposition: inline; filename*=utf-8''..%2Fevil%07.txt\r\n"
        b"\r\nhello\r\n"
    )
    # when they are imported
    forwarded = await imported_email(admin, run_jobs, raw)
    text = await imported_email(admin, run_jobs, inline)
    # then Email.parts shows their names decoded and safe, like documents' names
    assert parts_by_id(forwarded)["1.3"]["outcome"] == "NESTED_MESSAGE"
    assert parts_by_id(forwarded)["1.3"]["filename"] == "fwd.eml"
    assert parts_by_id(text)["1"]["outcome"] == "BODY"
    assert parts_by_id(text)["1"]["filename"] == "evil.txt"


async def test_parts_report_the_size_of_their_content(admin, run_jobs):
    # given a forward chain (bodies and attachments inside attached messages)
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(2))
    # then every body and document part reports its decoded size
    for part in email["parts"]:
        if part["outcome"] in ("BODY", "DOCUMENT"):
            assert part["size"] > 0, part


async def test_plain_text_is_made_from_html_when_there_is_no_text_part(admin, run_jobs):
    # given an HTML-only message
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.html_only())
    # then bodyTextPlain is readable text made from the HTML
    text = email["bodyTextPlain"]
    assert "Order\xa0confirmed" in text or "Order confirmed" in text
    assert "Line one\nLine two" in text
    assert "Total: 42 €" in text
    assert "<" not in text and "secret" not in text and ".x{}" not in text
    # and the HTML keeps its markup, without the script
    assert "<h1>" in email["bodyTextHtml"]
    assert "secret" not in email["bodyTextHtml"]
    assert email["parts"][0]["outcome"] == "BODY"


async def test_bodies_are_cut_to_4096_bytes_on_a_character_boundary(admin, run_jobs):
    # given a message whose text and HTML bodies are 13 kB of multi-byte characters
    await make_inbox(admin.organization_id)
    limit = get_settings().body_max_bytes
    assert limit == 4096 and len(mc.LONG_TEXT.encode()) > 3 * limit
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.long_bodies())
    # then both bodies are cut to at most 4096 bytes, on a character boundary
    assert email["bodyTruncated"] is True
    text = email["bodyTextPlain"]
    assert limit - 4 < len(text.encode()) <= limit
    assert mc.LONG_TEXT.startswith(text)
    assert "\ufffd" not in text
    html = email["bodyTextHtml"]
    assert limit - 4 < len(html.encode()) <= limit
    assert "\ufffd" not in html
    # and a short message is not marked truncated
    short = await imported_email(
        admin, run_jobs, mc.simple(message_id="<short@x.test>")
    )
    assert short["bodyTruncated"] is False
    assert short["bodyTextPlain"] == "Hello there."


# ---------------------------------------------------------------------------
# Damage


async def test_broken_base64_is_a_parse_defect_not_a_failure(admin, run_jobs):
    # given a message whose first attachment has broken base64 and second is intact
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.broken_base64())
    # then the import succeeds, the damage is recorded on the part
    assert any(d.startswith("1.2:") and "Base64" in d for d in email["parseDefects"]), (
        email["parseDefects"]
    )
    # and the intact attachment arrives byte for byte
    good = docs_by_sha(email)[sha(mc.BROKEN_B64_GOOD_PDF)]
    assert good["originalFileName"] == "good.pdf"
    assert (await download(admin, good["contentUrl"])).content == mc.BROKEN_B64_GOOD_PDF
    # and what could be decoded of the broken one is stored as hashed
    await assert_documents_downloadable(admin, email)


async def test_unknown_charset_is_read_as_utf8_and_recorded(admin, run_jobs):
    # given a text body in charset "x-unknown-42" (really UTF-8)
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.unknown_charset())
    # then the body is readable and the defect names the charset
    assert email["bodyTextPlain"].strip() == mc.UNKNOWN_CHARSET_TEXT
    assert any("x-unknown-42" in d for d in email["parseDefects"]), email[
        "parseDefects"
    ]
    assert email["parts"][0]["charset"] == "x-unknown-42"


async def test_eight_bit_headers_do_not_break_the_import(admin, run_jobs):
    # given Subject and From name as raw Latin-1 bytes (no RFC 2047)
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.eight_bit_headers())
    # then the address and the ASCII text survive, and every string is valid Unicode
    assert email["from"]["email"] == "rene.mueller@vendor.test"
    assert email["subject"].startswith("Caf") and email["subject"].endswith(
        "for order 77"
    )
    assert email["from"]["name"].startswith("Ren")
    json.dumps(email, ensure_ascii=False).encode("utf-8")  # no lone surrogates


async def test_eight_bit_latin1_headers_are_decoded_not_replaced(admin, run_jobs):
    # given Subject and From name as raw Latin-1 bytes, as old mailers send them
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.eight_bit_headers())
    # then the text reads as the sender wrote it (bytes that are not UTF-8 are
    # Latin-1/Windows-1252, as mail clients read them), not U+FFFD replacement marks
    assert email["subject"] == "Café résumé for order 77"
    assert email["from"]["name"] == "René Müller"


async def test_message_without_message_id_and_date(admin, run_jobs):
    # given a scanner's message: no Message-ID, no Date, no MIME-Version
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.no_message_id_no_date())
    # then it is stored with its document, and the missing id is a recorded defect
    assert email["messageId"] == ""
    assert any("Message-ID" in d for d in email["parseDefects"])
    [document] = email["documents"]
    assert document["sha256"] == sha(mc.NO_ID_PDF)
    assert document["originalFileName"] == "scan0001.pdf"


async def test_nul_characters_in_a_body_are_stored(admin, run_jobs):
    # given a body and subject with NUL characters (broken mailers send them)
    await make_inbox(admin.organization_id)
    raw = (
        b"From: Nul <nul@vendor.test>\r\nTo: " + mc.INBOX.encode() + b"\r\n"
        b"Subject: =?utf-8?Q?zero=00byte?=\r\nMessage-ID: <nul-1@vendor.test>\r\n\r\n"
        b"before\x00after\r\n"
    )
    # when it is imported
    task = await imported(admin, run_jobs, raw)
    # then it succeeds (on every database backend) with the text readable
    assert task["status"] == "SUCCEEDED", task["error"]
    assert "before" in task["email"]["bodyTextPlain"]
    assert "after" in task["email"]["bodyTextPlain"]


# ---------------------------------------------------------------------------
# Forwards, TNEF, filters


async def test_forward_chain_three_deep_brings_every_attachment(admin, run_jobs):
    # given a forward of a forward of a forward, each message with its own PDF
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(3))
    # then the four PDFs are documents, with the bytes sent
    assert set(docs_by_sha(email)) == {
        sha(mc.forward_payload(level)) for level in range(4)
    }
    names = sorted(d["originalFileName"] for d in email["documents"])
    assert names == ["level-0.pdf", "level-1.pdf", "level-2.pdf", "level-3.pdf"]
    # and each attached message is recorded as a nested message, their bodies as BODY
    outcomes = [p["outcome"] for p in email["parts"]]
    assert outcomes.count("NESTED_MESSAGE") == 3
    assert outcomes.count("BODY") == 4
    assert outcomes.count("DOCUMENT") == 4
    # and the outer body is the outer message's, not a forwarded one's
    assert email["bodyTextPlain"] == "Forwarded at level 0."
    assert email["subject"] == "Fwd: level 0"
    assert not any("nested" in d for d in email["parseDefects"])


async def test_forward_chain_deeper_than_the_limit_is_cut_with_a_defect(
    admin, run_jobs
):
    # given a forward chain four deep (the limit is three attached-message levels)
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.forward_chain(4))
    # then the attachments down to the limit are documents, the deepest is not
    assert set(docs_by_sha(email)) == {
        sha(mc.forward_payload(level)) for level in range(4)
    }
    assert any("nested deeper" in d for d in email["parseDefects"]), email[
        "parseDefects"
    ]


async def test_tnef_winmail_dat_is_unpacked(admin, run_jobs):
    # given Outlook rich-text mail with a winmail.dat holding a PDF and a text file
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.tnef_message())
    # then the files inside are documents, named and typed from their bytes
    documents = docs_by_sha(email)
    (pdf_name, pdf_data), (txt_name, txt_data) = mc.TNEF_FILES
    assert documents[sha(pdf_data)]["originalFileName"] == pdf_name
    assert documents[sha(pdf_data)]["mimeType"] == "application/pdf"
    assert documents[sha(txt_data)]["originalFileName"] == txt_name
    assert documents[sha(txt_data)]["mimeType"] == "text/plain"
    assert len(documents) == 2
    await assert_documents_downloadable(admin, email)
    # and winmail.dat itself is a container, not a document
    parts = parts_by_id(email)
    assert parts["1.2"]["outcome"] == "NESTED_MESSAGE"
    assert parts["1.2"]["document"] is None
    assert parts["1.2.t1"]["outcome"] == parts["1.2.t2"]["outcome"] == "DOCUMENT"


async def test_tnef_with_windows_1252_file_name(admin, run_jobs):
    # given a winmail.dat whose attachment title is in its OEM code page (1252), as
    # Outlook writes non-ASCII names
    await make_inbox(admin.organization_id)
    data = mc.pdf("tnef cp1252")
    blob = mc.tnef_blob([("Résumé.pdf", data)], title_codec="cp1252")
    # when it is imported
    task = await imported(admin, run_jobs, mc.tnef_message(blob))
    # then it succeeds and the file is a document with its name decoded
    assert task["status"] == "SUCCEEDED", task["error"]
    [document] = task["email"]["documents"]
    assert document["sha256"] == sha(data)
    assert document["originalFileName"] == "Résumé.pdf"


async def test_corrupted_winmail_dat_is_a_defect(admin, run_jobs):
    # given a winmail.dat with a TNEF signature and then nonsense
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.corrupted_tnef())
    # then the import succeeds with a TNEF defect and nothing extracted from it
    assert any("TNEF" in d for d in email["parseDefects"]), email["parseDefects"]
    assert email["documents"] == []
    assert parts_by_id(email)["1.2"]["outcome"] == "NESTED_MESSAGE"
    assert email["bodyTextPlain"] == "See the attached files."


async def test_small_images_are_filtered_and_counted(admin, run_jobs):
    # given an inbox that ignores images under 1,000 bytes
    await make_inbox(admin.organization_id, min_image_bytes=1000)
    # when a message with a 73-byte PNG, a 300-byte JPEG, a 5 kB PNG and a PDF arrives
    email = await imported_email(admin, run_jobs, mc.small_images())
    # then the two small images are filtered out and counted, the rest are documents
    outcomes = {p["filename"]: p["outcome"] for p in email["parts"] if p["filename"]}
    assert outcomes == {
        "spacer.png": "FILTERED_SMALL_IMAGE",
        "tiny.jpg": "FILTERED_SMALL_IMAGE",
        "chart.png": "DOCUMENT",
        "invoice.pdf": "DOCUMENT",
    }
    assert email["filteredOutDocumentCount"] == 2
    assert set(docs_by_sha(email)) == {sha(mc.BIG_PNG), sha(mc.INVOICE_PDF)}
    assert docs_by_sha(email)[sha(mc.BIG_PNG)]["mimeType"] == "image/png"


async def test_types_the_inbox_does_not_accept_are_filtered(admin, run_jobs):
    # given an inbox that accepts PDFs only
    await make_inbox(admin.organization_id, accepted_mime_types=["application/pdf"])
    # when a ZIP declared as application/pdf and a real PDF arrive
    email = await imported_email(admin, run_jobs, mc.unaccepted_type())
    # then the ZIP is recognised by its bytes and filtered by type; the PDF is a
    # document
    parts = parts_by_id(email)
    assert parts["1.2"]["outcome"] == "FILTERED_TYPE"
    assert parts["1.2"]["contentType"] != "application/pdf"
    assert parts["1.2"]["document"] is None
    assert parts["1.3"]["outcome"] == "DOCUMENT"
    [document] = email["documents"]
    assert document["sha256"] == sha(mc.INVOICE_PDF)
    # and (as the design counts only inline and small images) it is not "filtered out"
    assert email["filteredOutDocumentCount"] == 0
    # and an image is filtered by type in that inbox too
    image = await imported_email(admin, run_jobs, mc.small_images())
    outcomes = {p["filename"]: p["outcome"] for p in image["parts"] if p["filename"]}
    assert outcomes["chart.png"] == "FILTERED_TYPE"
    assert outcomes["invoice.pdf"] == "DOCUMENT"


async def test_a_plain_zip_is_not_typed_as_a_word_document(admin, run_jobs):
    # given an inbox accepting Word documents only
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    await make_inbox(admin.organization_id, accepted_mime_types=[docx])
    # when a plain ZIP archive (no [Content_Types].xml, no word/ entries) arrives
    email = await imported_email(admin, run_jobs, mc.unaccepted_type())
    # then it is sniffed as a ZIP and filtered by type, not accepted as a .docx
    part = parts_by_id(email)["1.2"]
    assert part["contentType"] == "application/zip"
    assert part["outcome"] == "FILTERED_TYPE"


# ---------------------------------------------------------------------------
# Size and structure extremes (once each)


async def test_twenty_megabyte_attachment_through_upload(admin, run_jobs, monkeypatch):
    # given a message carrying a 20 MB attachment (27 MB once base64-encoded, so more
    # than the default 25 MiB limit: this test allows 40 MiB)
    monkeypatch.setenv("MAX_MESSAGE_BYTES", str(40 * 1024 * 1024))
    get_settings.cache_clear()
    await make_inbox(admin.organization_id)
    raw, data = mc.big_attachment(20_000_000)
    # when it is uploaded with the GraphQL multipart request
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("big.eml", raw)},
    )
    response = await post_multipart(admin, request)
    assert response.status_code == 200, response.text
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    del raw
    await run_jobs()
    # then the attachment is one document, byte for byte
    task = await task_of(admin, result["id"])
    assert task["status"] == "SUCCEEDED", task["error"]
    [document] = task["email"]["documents"]
    assert document["size"] == len(data)
    assert document["sha256"] == sha(data)
    downloaded = await download(admin, document["contentUrl"])
    assert sha(downloaded.content) == sha(data)
    # and the worker goes on
    await assert_worker_alive(admin, run_jobs, "big")


async def test_thousand_level_nesting_ends_with_a_defect(admin, run_jobs):
    # given a message whose multipart structure is nested 1,000 levels deep
    await make_inbox(admin.organization_id)
    # when it is imported
    task = await imported(admin, run_jobs, mc.deep_nesting(1000))
    # then the task ends, the headers are read and the nesting is a recorded defect
    assert task["status"] == "SUCCEEDED", task["error"]
    email = task["email"]
    assert email["subject"] == "Deep"
    assert email["from"]["email"] == "nest@vendor.test"
    assert any("nested" in d.lower() for d in email["parseDefects"]), email[
        "parseDefects"
    ]
    assert email["documents"] == []
    # and the worker goes on
    await assert_worker_alive(admin, run_jobs, "deep")


async def test_nesting_past_max_depth_is_cut_with_a_defect(admin, run_jobs):
    # given nesting just past the walker's depth limit (the parser itself copes)
    await make_inbox(admin.organization_id)
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.deep_nesting(40))
    # then the parts down to the limit are recorded and the rest is a defect
    assert any("nested deeper than" in d for d in email["parseDefects"])
    assert len(email["parts"]) <= 40


async def test_more_parts_than_max_parts_are_cut_with_a_defect(admin, run_jobs):
    # given an inbox taking PDFs only, and a message with 600 CSV attachments
    await make_inbox(admin.organization_id, accepted_mime_types=["application/pdf"])
    # when it is imported
    email = await imported_email(admin, run_jobs, mc.many_parts(600))
    # then the parts up to the limit are recorded, the rest is a defect
    assert len(email["parts"]) == MAX_PARTS
    assert any(f"more than {MAX_PARTS} parts" in d for d in email["parseDefects"])
    assert {p["outcome"] for p in email["parts"][1:]} == {"FILTERED_TYPE"}
    assert email["documents"] == []


# ---------------------------------------------------------------------------
# The mutation refuses what it cannot accept, and creates nothing


async def test_message_over_the_size_limit_is_payload_too_large(admin, monkeypatch):
    # given a 2,000-byte limit (set after the settings fixture, then the cache cleared)
    monkeypatch.setenv("MAX_MESSAGE_BYTES", "2000")
    get_settings.cache_clear()
    assert get_settings().max_message_bytes == 2000
    await make_inbox(admin.organization_id)
    raw = mc.simple(text="x" * 3000)
    # when it is sent as base64 and as an upload
    as_base64 = await import_email(admin, raw)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", raw)},
    )
    response = await post_multipart(admin, request)
    as_upload = response.json()["data"]["importEmail"]
    # then both are PAYLOAD_TOO_LARGE and no task exists
    for result in (as_base64, as_upload):
        assert result["__typename"] == "InputError"
        assert result["code"] == "PAYLOAD_TOO_LARGE"
        assert result["field"] == "rawMessage"
    assert await task_rows(admin.organization_id) == 0
    # and a message under the limit is accepted
    small = await import_email(admin, mc.simple(text="ok"))
    assert small["__typename"] == "Task"


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"recipient": "nobody@acme.test"}, "NOT_FOUND", "recipient"),
        ({"values": {"order": 1}}, "BAD_REQUEST", "values"),
        ({"values": {"emails_import:ok": 1, "other:x": 2}}, "BAD_REQUEST", "values"),
        ({"values": {"emails_import:": 1}}, "BAD_REQUEST", "values"),
        ({"values": ["emails_import:x"]}, "BAD_REQUEST", "values"),
        ({"metadata": {f"k{i}": i for i in range(51)}}, "BAD_REQUEST", "metadata"),
        ({"metadata": [1, 2]}, "BAD_REQUEST", "metadata"),
        ({"rawMessageBase64": "not base64!!"}, "BAD_REQUEST", "rawMessageBase64"),
        ({"rawMessageBase64": None}, "BAD_REQUEST", "rawMessage"),
    ],
    ids=[
        "unknown-recipient",
        "values-prefix",
        "values-one-bad-key",
        "values-bare-prefix",
        "values-not-object",
        "metadata-51-keys",
        "metadata-not-object",
        "bad-base64",
        "no-raw-input",
    ],
)
async def test_invalid_input_is_an_input_error_and_creates_no_task(
    admin, extra, code, field
):
    # given an inbox
    await make_inbox(admin.organization_id)
    # when an import is requested with one thing wrong
    result = await import_email(admin, mc.simple(), **extra)
    # then it is an InputError naming the field, and nothing was created
    assert result["__typename"] == "InputError", result
    assert (result["code"], result["field"]) == (code, field)
    assert result["message"]
    assert await task_rows(admin.organization_id) == 0


async def test_fifty_metadata_keys_are_accepted(admin):
    await make_inbox(admin.organization_id)
    result = await import_email(
        admin, mc.simple(), metadata={f"k{i}": i for i in range(50)}
    )
    assert result["__typename"] == "Task"
    assert await task_rows(admin.organization_id) == 1


async def test_another_organizations_inbox_is_not_found(admin, make_org):
    # given an inbox of another organization
    other = await make_org("Other")
    await make_inbox(other.organization_id, "theirs@other.test")
    # when this organization imports to its address
    result = await import_email(
        admin, mc.simple(to="theirs@other.test"), recipient="theirs@other.test"
    )
    # then it is NOT_FOUND, like an unknown address, and no task exists anywhere
    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "NOT_FOUND",
        "recipient",
    )
    assert await task_rows(admin.organization_id) == 0
    assert await task_rows(other.organization_id) == 0


async def test_both_raw_inputs_at_once_are_refused(admin):
    # given a request with an upload and rawMessageBase64 together
    await make_inbox(admin.organization_id)
    raw = mc.simple()
    request = multipart_upload(
        IMPORT,
        {
            "input": {
                "rawMessage": None,
                "recipient": mc.INBOX,
                "rawMessageBase64": base64.b64encode(raw).decode(),
            }
        },
        {"variables.input.rawMessage": ("m.eml", raw)},
    )
    # when it is sent (an unclosed upload is test_refused_uploads_are_closed's subject)
    response = await post_multipart(admin, request, unclosed=[])
    # then it is BAD_REQUEST and nothing was created
    result = response.json()["data"]["importEmail"]
    assert (result["__typename"], result["code"]) == ("InputError", "BAD_REQUEST")
    assert result["field"] == "rawMessage"
    assert await task_rows(admin.organization_id) == 0


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANNOTATOR, Role.VIEWER])
async def test_only_admins_may_import(admin, role):
    # given an inbox and a user who is not ADMIN
    await make_inbox(admin.organization_id)
    user = await admin.add_user(role)
    # when they import
    body = await user.gql(
        IMPORT,
        {
            "input": {
                "rawMessageBase64": base64.b64encode(mc.simple()).decode(),
                "recipient": mc.INBOX,
            }
        },
    )
    # then it is ACCESS_FORBIDDEN and nothing was created
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ACCESS_FORBIDDEN"]
    assert await task_rows(admin.organization_id) == 0


# ---------------------------------------------------------------------------
# The multipart upload path


async def test_upload_imports_like_base64(admin, run_jobs):
    # given an inbox and the Gmail message as a file
    await make_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {
            "input": {
                "rawMessage": None,
                "recipient": mc.INBOX,
                "values": {"emails_import:via": "upload"},
            }
        },
        {"variables.input.rawMessage": ("gmail.eml", mc.gmail_mixed())},
    )
    # when it is uploaded with the preflight header
    response = await post_multipart(admin, request)
    # then a task is returned and the import succeeds with the three documents
    assert response.status_code == 200, response.text
    result = response.json()["data"]["importEmail"]
    assert result["__typename"] == "Task", result
    await run_jobs()
    task = await task_of(admin, result["id"])
    assert task["status"] == "SUCCEEDED", task["error"]
    assert len(task["email"]["documents"]) == 3
    assert {
        a["values"]["emails_import:via"]
        for d in task["email"]["documents"]
        for a in d["annotations"]
    } == {"upload"}
    # and the raw message is downloadable exactly as uploaded
    raw = await download(admin, f"/content/emails/{task['email']['id']}")
    assert raw.status_code == 200 and raw.content == mc.gmail_mixed()


async def test_upload_without_preflight_header_is_refused(admin):
    # given an inbox and a multipart request with no preflight header (a form post
    # any web page could make)
    await make_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", mc.simple())},
    )
    # when it is sent
    response = await post_multipart(admin, request, preflight=False)
    # then it is refused with 400 before anything runs
    assert response.status_code == 400
    assert "preflight" in response.text.lower()
    assert await task_rows(admin.organization_id) == 0


async def test_uploaded_file_is_closed_after_the_request(admin):
    # given an inbox
    await make_inbox(admin.organization_id)
    request = multipart_upload(
        IMPORT,
        {"input": {"rawMessage": None, "recipient": mc.INBOX}},
        {"variables.input.rawMessage": ("m.eml", mc.simple())},
    )
    # when a message is uploaded and the request is over
    unclosed: list[str] = []
    response = await post_multipart(admin, request, unclosed=unclosed)
    assert response.json()["data"]["importEmail"]["__typename"] == "Task"
    # then the server closed the uploaded file (no file handle left to the collector)
    assert unclosed == []


@pytest.mark.parametrize(
    "refusal", ["both-raw-inputs", "not-admin", "unknown-recipient"]
)
async def test_refused_uploads_are_closed_too(admin, refusal):
    # given an upload the mutation refuses before or after reading it
    await make_inbox(admin.organization_id)
    raw = mc.simple()
    variables: dict[str, Any] = {"input": {"rawMessage": None, "recipient": mc.INBOX}}
    actor = admin
    if refusal == "both-raw-inputs":
        variables["input"]["rawMessageBase64"] = base64.b64encode(raw).decode()
    elif refusal == "not-admin":
        actor = await admin.add_user(Role.MANAGER)
    else:
        variables["input"]["recipient"] = "nobody@acme.test"
    request = multipart_upload(
        IMPORT, variables, {"variables.input.rawMessage": ("m.eml", raw)}
    )
    # when it is sent
    unclosed: list[str] = []
    response = await post_multipart(actor, request, unclosed=unclosed)
    body = response.json()
    if refusal == "not-admin":
        assert body["errors"][0]["extensions"]["code"] == "ACCESS_FORBIDDEN"
    else:
        assert body["data"]["importEmail"]["__typename"] == "InputError"
    # then the uploaded file was closed all the same
    assert unclosed == []


async def test_failed_task_error_is_visible(admin, run_jobs):
    # given an inbox that has been deleted after the import was accepted
    inbox = await make_inbox(admin.organization_id)
    task_id = await queued_task(admin, mc.simple())
    await Inbox.filter(id=inbox.id).delete()
    # when the job runs
    await run_jobs()
    # then the task FAILED with a code and a message, and no email exists
    task = await task_of(admin, task_id)
    assert task["status"] == "FAILED"
    assert task["error"]["code"] == "NOT_FOUND" and task["error"]["message"]
    assert task["email"] is None
    assert await Email.filter(organization_id=admin.organization_id).count() == 0
    # and the task row says the same
    row = await Task.get(id=uuid.UUID(pk_of(task_id)))
    assert row.error_code == "NOT_FOUND"
