"""A real HTTP receiver on a loopback port (http.server in a thread) that records
each request and answers the statuses it is told, and the GraphQL documents the
webhook tests post."""

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.helpers import ERROR, Actor, mutate


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """`replies`: the statuses of the next requests, in order (then 204)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.replies: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.path, dict(self.headers.items()), body)
                    )
                    status = receiver.replies.pop(0) if receiver.replies else 204
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A receiver, with loopback webhooks allowed and retries not waiting."""
    settings(webhook_allow_private_networks="true", webhook_retry_base_seconds="0")
    server = Receiver()
    yield server
    server.close()


WEBHOOK_FIELDS = "id url events description enabled failureCount createdAt"
DELIVERY_FIELDS = (
    "id event messageId payload status attempts responseCode lastError "
    "nextTryAt createdAt deliveredAt webhook { id }"
)
CREATE = f"""mutation($input: CreateWebhookInput!) {{
  createWebhook(input: $input) {{
    __typename ... on CreatedWebhook {{ secret webhook {{ {WEBHOOK_FIELDS} }} }}
    {ERROR} }} }}"""
UPDATE = f"""mutation($input: UpdateWebhookInput!) {{
  updateWebhook(input: $input) {{
    __typename ... on Webhook {{ {WEBHOOK_FIELDS} }} {ERROR} }} }}"""
DELETE = f"""mutation($input: DeleteWebhookInput!) {{
  deleteWebhook(input: $input) {{
    __typename ... on DeleteWebhookPayload {{ id }} {ERROR} }} }}"""
REDELIVER = f"""mutation($input: RedeliverWebhookInput!) {{
  redeliverWebhook(input: $input) {{
    __typename ... on WebhookDelivery {{ {DELIVERY_FIELDS} }} {ERROR} }} }}"""
WEBHOOK = f"""query($id: ID!) {{ webhook(id: $id) {{ {WEBHOOK_FIELDS}
  deliveries(first: 20) {{ totalCount nodes {{ {DELIVERY_FIELDS} }} }} }} }}"""
WEBHOOKS = f"{{ webhooks(first: 20) {{ totalCount nodes {{ {WEBHOOK_FIELDS} }} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def create_webhook(actor: Actor, url: str, events: list[str], **more: Any):
    """createWebhook that must succeed: (the webhook, its secret)."""
    result = await mutate(
        actor, CREATE, {"input": {"url": url, "events": events, **more}}
    )
    assert result["__typename"] == "CreatedWebhook", result
    return result["webhook"], result["secret"]


async def webhook_with_deliveries(actor: Actor, webhook_id: str) -> dict[str, Any]:
    return (await actor.data(WEBHOOK, {"id": webhook_id}))["webhook"]


IMPORT = """mutation($raw: String!) { importEmail(input: {rawMessageBase64: $raw,
  recipient: "in@acme.example"}) { __typename ... on Task { id } } }"""


async def import_email(actor: Actor, subject: str) -> str:
    """An import into in@acme.example (the `inbox` fixture); the task's id."""
    raw = (
        f"From: supplier@vendor.test\r\nTo: in@acme.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@vendor.test>\r\n\r\nHello\r\n"
    ).encode()
    data = await actor.data(IMPORT, {"raw": base64.b64encode(raw).decode()})
    return data["importEmail"]["id"]
