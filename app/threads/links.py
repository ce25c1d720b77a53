"""Links an incoming reply inherits from its thread (`autoLinked`)."""

from app.mail.models import Email
from app.mail.relations import EmailLinkedObject


async def inherit_links(email: Email) -> int:
    """An incoming email that joined a thread whose emails are linked to external
    objects is linked to them too, marked autoLinked; how many links it got."""
    if email.email_thread_id is None:
        return 0
    have = set(
        await EmailLinkedObject.filter(email_id=email.id).values_list(
            "type", "object_id"
        )
    )
    links = (
        await EmailLinkedObject.filter(
            email__email_thread_id=email.email_thread_id,
            email__organization_id=email.organization_id,
        )
        .exclude(email_id=email.id)
        .order_by("id")
        .values_list("type", "object_id")
    )
    new = [link for link in dict.fromkeys(links) if link not in have]
    await EmailLinkedObject.bulk_create(
        [
            EmailLinkedObject(
                email_id=email.id, type=kind, object_id=object_id, auto_linked=True
            )
            for kind, object_id in new
        ]
    )
    return len(new)
