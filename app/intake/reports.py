"""Delivery status notifications (RFC 3464): a multipart/report whose
message/delivery-status part holds header blocks, the first about the message, one
per recipient after it. What the import needs of it: which message it reports on
(the returned message or its headers) and each recipient's action and status."""

import email
import re
from email import policy
from email.message import Message

from app.intake.decoding import clean_text
from app.intake.headers import first_id
from app.intake.parsed import DefectSink, DeliveryReport, RecipientStatus

STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
RETURNED_TYPES = frozenset(
    {"text/rfc822-headers", "message/global-headers", "message/rfc822"}
)
_SPACE = re.compile(r"\s+")


def is_delivery_report(part: Message) -> bool:
    return (
        part.get_content_type() == "multipart/report"
        and str(part.get_param("report-type", "")).lower() == "delivery-status"
    )


def read_delivery_report(
    report: Message, part_id: str, defect: DefectSink
) -> DeliveryReport | None:
    """The report of a multipart/report; None without a delivery-status part.
    Never raises: what cannot be read is a defect."""
    try:
        payload = report.get_payload()
        if not isinstance(payload, list):
            return None
        children = [c for c in payload if isinstance(c, Message)]
        status = next(
            (c for c in children if c.get_content_type() in STATUS_TYPES), None
        )
        if status is None:
            return None
        recipients = [
            _recipient(block) for block in _blocks(status) if _field(block, "Action")
        ]
        returned = next(
            (c for c in children if c.get_content_type() in RETURNED_TYPES), None
        )
        original = _original_id(returned) if returned is not None else ""
        return DeliveryReport(original_message_id=original, recipients=recipients)
    except Exception as exc:  # a report is a bonus: the message imports anyway
        defect(part_id, f"unreadable delivery status ({type(exc).__name__})")
        return None


def _blocks(status: Message) -> list[Message]:
    """The header blocks (the standard parser splits message/delivery-status into
    them; a part it left as text is read here)."""
    payload = status.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    data = status.get_payload(decode=True)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(payload)
    blocks = re.split(r"\r?\n[ \t]*\r?\n", text.strip())
    return [
        email.message_from_bytes(b.encode(), policy=policy.compat32)
        for b in blocks
        if b.strip()
    ]


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return _SPACE.sub(" ", clean_text(str(value))).strip() if value is not None else ""


def _typed(value: str) -> str:
    """`rfc822; x@y` -> `x@y`, `smtp; 550 ...` -> `550 ...` (RFC 3464 typed fields)."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and kind.strip() and " " not in kind.strip() else value


def _recipient(block: Message) -> RecipientStatus:
    return RecipientStatus(
        recipient=_typed(
            _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
        )[:320],
        action=_field(block, "Action").lower()[:32],
        status=_field(block, "Status").split(" ")[0][:32],
        diagnostic=_typed(_field(block, "Diagnostic-Code"))[:1000],
    )


def _original_id(returned: Message) -> str:
    if returned.get_content_type() == "message/rfc822":
        payload = returned.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        headers = inner if isinstance(inner, Message) else None
    else:
        data = returned.get_payload(decode=True)
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
        headers = email.message_from_string(text, policy=policy.compat32)
    if headers is None:
        return ""
    value = headers.get("Message-ID")
    return first_id(clean_text(str(value))) if value is not None else ""
