"""A message is flattened once: the relay's bytes (aiosmtplib's email.policy.SMTP)
are the stored bytes with CRLF line ends, exactly what aiosmtplib would make."""

from datetime import UTC, datetime

from aiosmtplib.email import flatten_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.documents.models import Document
from app.mail.models import Email
from app.outbox.composing import compose
from app.outbox.transport import wire_bytes

TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
)


def _email(subject: str, name: str) -> Email:
    return Email(
        from_address="ap@acme.test",
        from_name=name,
        to=[{"email": "bob@client.test", "name": name}],
        cc=[{"email": "carol@client.test", "name": ""}],
        bcc=[],
        subject=subject,
        date=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        message_id="<m1@acme.test>",
        in_reply_to=["<p@vendor.test>"],
        references=["<r@vendor.test>", "<p@vendor.test>"],
        headers={"X-Ticket": "42"},
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    subject=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl"))),
    name=st.sampled_from(["", "Acme AP", "Zoë Müller", "a, b"]),
    text=TEXTS,
    html=TEXTS,
    attachment=st.binary(max_size=3000),
)
def test_the_wire_is_the_stored_message_with_crlf(
    smtp_sink, subject, name, text, html, attachment
):
    document = Document(mime_type="application/pdf", original_file_name="a b.pdf")
    message = compose(
        _email(subject, name),
        html=html,
        text=text,
        attachments=[(document, attachment)] if attachment else [],
    )
    stored = bytes(message)
    recipients = ["bob@client.test", "carol@client.test"]
    wire = wire_bytes(message, "ap@acme.test", recipients, stored)
    assert wire == flatten_message(message)
