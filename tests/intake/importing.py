"""Importing through the API: importEmail (base64 or a multipart upload), a real arq
burst worker, and the stored Email / Documents / Annotations as the API shows them,
with the content routes to download them."""

import base64
import gc
import json
import logging
import warnings
from typing import Any
from urllib.parse import urlparse

import httpx

from app.inboxes.models import Inbox
from app.tasks.models import Task
from tests import mailcorpus as mc
from tests.factories import make_inbox
from tests.helpers import Actor, sha

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
      id subject messageId bodyTextPlain bodyTextReply bodyTextHtml bodyTruncated
      metadata
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


async def intake_inbox(
    organization_id: int, email: str = mc.INBOX, **settings: Any
) -> Inbox:
    """The inbox the corpus is addressed to (mc.INBOX), in a queue of its own."""
    return await make_inbox(organization_id, email, name="Intake", **settings)


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
