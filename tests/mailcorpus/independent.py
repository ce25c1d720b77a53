"""An independent reading of a message's attachments, to compare Mailroom's
documents with: the standard library's compat32 parser (not the policy Mailroom
parses with) walking the parts, and the `tnef` command-line tool for winmail.dat
when it is installed (apt package `tnef`)."""

import email
import hashlib
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from email import policy
from pathlib import Path

REPORTS = {
    "message/delivery-status",
    "message/feedback-report",
    "message/disposition-notification",
    "text/rfc822-headers",
}


class NoTnefTool(Exception):
    """The message has a winmail.dat and the `tnef` tool is not installed."""


def attachment_hashes(raw: bytes) -> Counter[str]:
    """sha256 of every non-empty attachment a mail client would offer to save (an
    image the HTML shows by cid: is part of the body, not a file)."""
    found: Counter[str] = Counter()
    message = email.message_from_bytes(raw, policy=policy.compat32)
    shown = _html_cids(message)
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "multipart":
            continue
        ctype = part.get_content_type()
        if ctype in REPORTS or ctype.startswith("message/"):
            continue
        if str(part.get("Content-ID", "")).strip().strip("<>").lower() in shown:
            continue
        name = part.get_filename()
        attachment = str(part.get("Content-Disposition", "")).lower().startswith(
            "attachment"
        ) or (name is not None and ctype not in ("text/plain", "text/html"))
        if not attachment:
            continue
        data = part.get_payload(decode=True) or b""
        if ctype == "application/ms-tnef" or (name or "").lower() == "winmail.dat":
            found.update(_tnef_files(data))
        elif data:
            found[hashlib.sha256(data).hexdigest()] += 1
    return found


def _html_cids(message: email.message.Message) -> set[str]:
    cids: set[str] = set()
    for part in message.walk():
        if part.get_content_type() == "text/html":
            html = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            cids |= {c.lower() for c in re.findall(r"cid:([^\"'\s>)]+)", html)}
    return cids


def tnef_tool() -> str | None:
    return shutil.which("tnef")


def _tnef_files(data: bytes) -> list[str]:
    tool = tnef_tool()
    if tool is None:
        raise NoTnefTool()
    with tempfile.TemporaryDirectory() as out:
        source = Path(out) / "winmail.dat"
        source.write_bytes(data)
        target = Path(out) / "files"
        target.mkdir()
        subprocess.run(
            [tool, "--overwrite", "-C", str(target), str(source)],
            capture_output=True,
            check=False,
            timeout=60,
        )
        return [
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(target.rglob("*"))
            if p.is_file() and p.stat().st_size
        ]
