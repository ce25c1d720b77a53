"""Secrets and signatures as the Standard Webhooks specification spells them:
`whsec_` + base64 key; `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">` (the `standardwebhooks` package signs)."""

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook as Signer

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32  # the specification asks for 24 to 64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def signed_headers(
    secret: str, *, message_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The three headers of one try: its timestamp is the try's, not the event's."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, timestamp, body),
    }
