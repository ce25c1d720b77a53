"""Messages as a mailing list delivers them to a subscribed inbox (List-Id,
List-Post, Precedence), written by hand so that every header is the test's."""

from email.utils import formatdate

LIST = "help@lists.example.org"
LIST_HEADERS = {
    "List-Id": "<help.lists.example.org>",
    "List-Post": f"<mailto:{LIST}>",
    "Precedence": "list",
}


def list_message(
    *,
    sender: str,
    subject: str,
    message_id: str,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    to: str = LIST,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
    via_list: bool = True,
    when: int = 1_700_000_000,
) -> bytes:
    """One text/plain message; through the list (its headers) unless via_list is
    False. The inbox is a subscriber: it is not among the recipients."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        *([f"Cc: {cc}"] if cc else []),
        f"Subject: {subject}",
        f"Date: {formatdate(when)}",
        f"Message-ID: {message_id}",
    ]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append("References: " + "\r\n ".join(references))
    extra = {**(LIST_HEADERS if via_list else {}), **(headers or {})}
    lines += [f"{name}: {value}" for name, value in extra.items()]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return ("\r\n".join([*lines, "", f"{subject} ({message_id})", ""])).encode()
