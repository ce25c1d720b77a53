"""Threads of imported mail as the API shows them: the thread and email queries,
and one plain message imported and processed."""

from typing import Any

from tests import mailcorpus as mc
from tests.intake.importing import (
    imported_email,
)

ALICE = "Alice <alice@vendor.test>"

BOB = "Bob <bob@other-vendor.test>"

CAROL = "Carol <carol@third.test>"

THREAD = """
query Thread($id: ID!) {
  emailThread(id: $id) {
    id subject hasReplies
    rootEmail { id }
    labels
    emails(first: 50) {
      totalCount
      edges { node {
        id subject type labels deliveryStatus messageId inReplyTo
        from { email } to { email }
        parent { id }
        threadMatch { method matchedEmail { id } }
      } }
    }
  }
}"""


async def thread(actor: Any, thread_id: str) -> dict[str, Any] | None:
    return (await actor.data(THREAD, {"id": thread_id}))["emailThread"]


def thread_emails(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["emails"]["edges"]]


async def arrive(actor: Any, run_jobs: Any, **message: Any) -> dict[str, Any]:
    """One plain message imported and processed; its Email as the task shows it."""
    return await imported_email(actor, run_jobs, mc.simple(**message))
