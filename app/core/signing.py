"""Signed, expiring content links: a browser opens them without a header.

The signature is HMAC-SHA256, keyed with SECRET_KEY, over a canonical string of
the route path, the expiry (Unix seconds) and the organization the row belongs
to; a link names nothing else, so changing any of them breaks it. Expiries are
rounded up to a tenth of SIGNED_URL_TTL, so the links of one row stay the same
for a while and a browser's cache of an inline image keeps working.
"""

import base64
import hashlib
import hmac
import math
import time
from enum import Enum

from app.settings import get_settings

PURPOSE = "mailroom-content-v1"


class LinkProblem(Enum):
    INVALID = "invalid"
    EXPIRED = "expired"


def _digest(key: str, path: str, expires: int, organization_id: int) -> str:
    canonical = f"{PURPOSE}\n{path}\n{expires}\n{organization_id}"
    mac = hmac.new(key.encode(), canonical.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _secret() -> str | None:
    secret = get_settings().secret_key
    return secret.get_secret_value() if secret is not None else None


def signature_query(
    path: str, *, organization_id: int, now: float | None = None
) -> str:
    """`expires=…&signature=…` for `path`, or "" without SECRET_KEY (then only the
    bearer token opens the link)."""
    key = _secret()
    if key is None:
        return ""
    ttl = get_settings().signed_url_ttl
    step = max(1, ttl // 10)
    moment = time.time() if now is None else now
    expires = math.ceil((moment + ttl) / step) * step
    signature = _digest(key, path, expires, organization_id)
    return f"expires={expires}&signature={signature}"


def check(
    path: str,
    *,
    organization_id: int,
    expires: str,
    signature: str,
    now: float | None = None,
) -> LinkProblem | None:
    """None when the link is genuine and current. The signature is checked first,
    so only a genuine link is ever told it expired."""
    key = _secret()
    if key is None or not expires.isdigit() or len(expires) > 12:
        return LinkProblem.INVALID
    wanted = _digest(key, path, int(expires), organization_id)
    if not hmac.compare_digest(wanted.encode(), signature.encode()):
        return LinkProblem.INVALID
    if int(expires) < (time.time() if now is None else now):
        return LinkProblem.EXPIRED
    return None
