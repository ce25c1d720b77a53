"""The subject and bodies of an outgoing email, rendered with the placeholders.

Each comes from the typed sendEmail field when given, else from the same key of
`templateValues` (the seed's shape), else from the saved template; the plain-text
part is generated from the HTML when neither `text` nor `templateValues.text` is.
An InvalidInput names the field the text came from."""

from dataclasses import dataclass
from typing import Any

from app.core.errors import InvalidInput
from app.core.limits import limits
from app.core.validation import no_line_breaks
from app.mail.bodies import sanitize_html, text_from_html
from app.mail.models import Email
from app.mail.subjects import forward_subject, reply_subject
from app.templates.expansion import Placeholders
from app.templates.models import EmailTemplate

# templateValues keys that are the email's texts, not placeholders.
TEXT_KEYS = ("subject", "message", "text")


@dataclass(frozen=True)
class Texts:
    """What the caller gave (None = not given), typed fields first."""

    subject: str | None = None
    message: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Content:
    subject: str
    html: str
    text: str


def _source(
    typed: Texts, values: dict[str, Any], key: str, saved: str | None
) -> tuple[str | None, str]:
    """(source, field): the typed field wins over templateValues, which wins over
    the saved template."""
    if getattr(typed, key) is not None:
        return getattr(typed, key), key
    if key in values:
        return values[key], f"templateValues.{key}"
    return saved, "emailTemplate"


def render_content(
    typed: Texts,
    values: dict[str, Any],
    template: EmailTemplate | None,
    *,
    parent: Email | None,
    forwarding: bool,
    placeholders: Placeholders,
) -> Content:
    render = placeholders.render
    subject = _subject(typed, values, template, parent, forwarding, placeholders)
    source, field = _source(
        typed, values, "message", template.message if template else ""
    )
    rendered = render(source or "", html=True, field=field)
    html = sanitize_html(_bounded(rendered, field), cid_url={})
    source, field = _source(typed, values, "text", None)
    if source is None:
        text = text_from_html(html)
    else:
        text = _bounded(render(source, html=False, field=field), field)
    return Content(subject=subject, html=html, text=text)


def _subject(
    typed: Texts,
    values: dict[str, Any],
    template: EmailTemplate | None,
    parent: Email | None,
    forwarding: bool,
    placeholders: Placeholders,
) -> str:
    source, field = _source(
        typed, values, "subject", template.subject if template else None
    )
    if source is None:
        if parent is None:
            return ""
        return (
            forward_subject(parent.subject)
            if forwarding
            else reply_subject(parent.subject)
        )
    subject = placeholders.render(source, html=False, field=field)
    subject = no_line_breaks(subject, field=field).strip()
    if len(subject) > limits().subject_chars:
        raise InvalidInput(
            f"The subject is over {limits().subject_chars} characters.", field=field
        )
    return subject


def _bounded(body: str, field: str) -> str:
    if len(body.encode()) > limits().send_message_bytes:
        raise InvalidInput(
            f"The {field} is over {limits().send_message_bytes} bytes.", field=field
        )
    return body
