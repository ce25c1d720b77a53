"""The values templates may use: plain data only (the sandbox exposes nothing else).

user_name is the sending user's username; current_user_* describe the user sending
too; sender_email is the parent email's sender address.
"""

from typing import Any

from app.accounts.models import Organization, User
from app.core.ids import encode as global_id
from app.documents.models import Annotation, Document
from app.mail.models import Email
from app.settings import get_settings

VALUES_PREFIX = "emails_import:"

# What each built-in placeholder holds: LEAF a value, ANY whatever its data holds
# (an annotation's values), a dict the names under it. A name outside it is
# unknown (see templates.expansion).
LEAF = None
ANY = "any"
Spec = dict[str, Any]
_ANNOTATION: Spec = {
    "id": LEAF,
    "url": LEAF,
    "assignee_email": LEAF,
    "status": LEAF,
    "document": {"original_file_name": LEAF},
    "content": {"value": ANY},
}
BUILT_IN: Spec = {
    "organization_name": LEAF,
    "app_url": LEAF,
    "user_name": LEAF,
    "current_user_fullname": LEAF,
    "current_user_email": LEAF,
    "parent_email_subject": LEAF,
    "sender_email": LEAF,
    "annotation": _ANNOTATION,
    "annotations": ANY,
}

# What a template Mailroom sends by itself may use (the reference's "can be used in
# automation"): no sending user exists then, so none of the user_* / current_user_*.
AUTOMATION_SAFE: Spec = {
    name: spec
    for name, spec in BUILT_IN.items()
    if name not in ("user_name", "current_user_fullname", "current_user_email")
}


def annotation_values(
    annotation: Annotation, document: Document | None, assignee: User | None
) -> dict[str, Any]:
    values = dict(annotation.values or {})
    content = {k.removeprefix(VALUES_PREFIX): v for k, v in values.items()}
    base = get_settings().public_url.rstrip("/")
    return {
        "id": annotation.id,
        "url": f"{base}/annotations/{global_id('Annotation', annotation.id)}",
        "assignee_email": assignee.email if assignee else "",
        "document": {
            "original_file_name": document.original_file_name if document else ""
        },
        "content": {"value": content},
        "status": annotation.status.value,
    }


async def annotation_context(annotation: Annotation) -> dict[str, Any]:
    """`annotation_values` with the annotation's document and assignee read."""
    document = (
        await Document.get_or_none(id=annotation.document_id)
        if annotation.document_id
        else None
    )
    assignee = (
        await User.get_or_none(id=annotation.assignee_id)
        if annotation.assignee_id
        else None
    )
    return annotation_values(annotation, document, assignee)


def build_context(
    *,
    organization: Organization,
    user: User,
    parent: Email | None,
    annotations: list[dict[str, Any]],
    custom: dict[str, Any],
) -> dict[str, Any]:
    context: dict[str, Any] = {
        **custom,
        "organization_name": organization.name,
        "app_url": get_settings().public_url,
        "user_name": user.username or "",
        "current_user_fullname": user.full_name,
        "current_user_email": user.email,
        "parent_email_subject": parent.subject if parent else "",
        "sender_email": parent.from_address if parent else "",
        "annotations": annotations,
    }
    if annotations:
        context["annotation"] = annotations[0]
    return context
