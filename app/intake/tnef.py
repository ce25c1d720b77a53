"""winmail.dat (application/ms-tnef): Outlook's wrapper around attachments. Its
files become documents like any other attachment (their bytes as the `tnef` tool
extracts them, see tnef_data); an empty one is recorded as EMPTY."""

from typing import Any

from tnefparse.properties import MAPI_ATTACH_LONG_FILENAME

from app.documents.sniffing import sanitize_filename
from app.intake.decoding import clean_text
from app.intake.parsed import Attachment, DefectSink, ParsedMessage, part_record
from app.intake.parts import PartOutcome
from app.intake.tnef_data import exact_attachment_data


def read_tnef(
    data: bytes, part_id: str, result: ParsedMessage, defect: DefectSink
) -> None:
    """Add the files inside a TNEF part, as parts `<part_id>.t1`, `.t2`..."""
    from tnefparse.tnef import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception as exc:
        defect(part_id, f"unreadable TNEF: {exc}")
        return
    try:
        exact = exact_attachment_data(tnef)
    except Exception as exc:  # tnefparse's own reading still stands
        defect(part_id, f"TNEF attachment lengths unreadable: {exc}")
        exact = []
    for i, item in enumerate(tnef.attachments, 1):
        sub_id = f"{part_id}.t{i}"
        name = sanitize_filename(_tnef_name(item), f"attachment-{sub_id}")
        own = exact[i - 1] if i <= len(exact) else None
        payload = own if own is not None else bytes(item.data or b"")
        outcome = PartOutcome.DOCUMENT if payload else PartOutcome.EMPTY
        result.parts.append(
            part_record(
                sub_id,
                "application/octet-stream",
                "attachment",
                None,
                name,
                None,
                len(payload),
                outcome,
            )
        )
        if payload:
            result.attachments.append(
                Attachment(sub_id, name, "application/octet-stream", payload, None)
            )


def _tnef_name(item: Any) -> str | None:
    """An attachment name inside winmail.dat: Outlook writes it in the message's code
    page (usually Windows-1252), which tnefparse would read as UTF-8."""
    for attribute in (*getattr(item, "mapi_attrs", ()),):
        if getattr(attribute, "name", None) == MAPI_ATTACH_LONG_FILENAME:
            data = attribute.data
            return (
                clean_text(data.decode("cp1252", "replace"))
                if isinstance(data, bytes)
                else data
            )
    raw = getattr(item, "_name", b"")
    if isinstance(raw, bytes):
        try:
            return clean_text(raw.decode("utf-8").strip("\x00"))
        except UnicodeDecodeError:
            return clean_text(raw.decode("cp1252", "replace").strip("\x00"))
    return clean_text(str(raw))
