"""Who an outgoing email is from: a chosen inbox of the organization, else the
inbox a reply's parent came to, else the queue's first inbox, else MAIL_FROM."""

from urllib.parse import urlparse

from app.core.errors import NotFound
from app.core.validation import normalize_address
from app.inboxes.models import Inbox
from app.mail.models import Email
from app.settings import get_settings


async def chosen_sender(organization_id: int, address: str | None) -> Inbox | None:
    """The inbox `from` names (only the organization's own may be sent from)."""
    if address is None:
        return None
    email = normalize_address(address, field="from")
    inbox = await Inbox.get_or_none(email=email, organization_id=organization_id)
    if inbox is None:
        raise NotFound(f"{email} is not one of your inboxes.", field="from")
    return inbox


async def default_inbox(queue_id: int, parent: Email | None) -> Inbox | None:
    """A reply goes out from the inbox its parent came to; else the queue's first."""
    inbox = None
    if parent is not None and parent.inbox_id is not None:
        inbox = await Inbox.get_or_none(id=parent.inbox_id)
    if inbox is None:
        inbox = await Inbox.filter(queue_id=queue_id).order_by("id").first()
    return inbox


def configured_sender() -> dict[str, str]:
    """The sender when no inbox is: MAIL_FROM, else no-reply at PUBLIC_URL's host."""
    configured = get_settings().mail_from
    if configured:
        return {"email": configured, "name": ""}
    host = urlparse(get_settings().public_url).hostname or "localhost"
    return {"email": f"no-reply@{host}", "name": ""}


def as_sender(inbox: Inbox) -> dict[str, str]:
    return {"email": inbox.email, "name": inbox.name}
