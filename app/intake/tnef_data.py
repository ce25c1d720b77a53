"""The exact bytes of each attachment inside winmail.dat.

tnefparse (1.4) reads a MAPI binary value with its 4-byte alignment padding and
then strips every trailing NUL, so a file that ends in zeros (an OLE Word document
pads its last sector with them) comes out short: 418 bytes of a .doc in its own
test sample. The `tnef` tool writes the value's declared length; so do we, from
the same TNEF objects tnefparse has already split, in the same order it numbers
the attachments (a new one at each attAttachRendData)."""

import struct
from typing import Any

from tnefparse.mapi import IMESSAGE_SIG, decode_mapi
from tnefparse.properties import MAPI_ATTACH_DATA_OBJ


def exact_attachment_data(tnef: Any) -> list[bytes | None]:
    """Per attachment, its bytes as `tnef` writes them; None where tnefparse's own
    reading stands (an embedded message, which it opens itself)."""
    found: list[bytes | None] = []
    for obj in tnef.objects:
        if obj.name == tnef.ATTATTACHRENDDATA:
            found.append(None)
        elif not found or obj.level != tnef.LVL_ATTACHMENT:
            continue
        elif obj.name == tnef.ATTATTACHDATA:
            found[-1] = bytes(obj.data)  # read whole by tnefparse too
        elif obj.name == tnef.ATTATTACHMENT:
            data = _data_object(bytes(obj.data), tnef.codepage)
            if data is not None:
                found[-1] = None if data.startswith(IMESSAGE_SIG) else data
    return found


def _data_object(block: bytes, codepage: Any) -> bytes | None:
    """PR_ATTACH_DATA_OBJ of an attAttachment block, cut to its declared length."""
    for prop in decode_mapi(block, codepage):
        values = prop.raw_data
        if prop.name != MAPI_ATTACH_DATA_OBJ or not isinstance(values, list):
            continue
        if not values or not isinstance(values[0], bytes):
            return None
        padded: bytes = values[0]
        # The value follows its 4-byte length; find the occurrence it declares.
        start = block.find(padded)
        while start >= 4:
            (length,) = struct.unpack_from("<I", block, start - 4)
            if 0 <= len(padded) - length < 4:
                return block[start : start + length]
            start = block.find(padded, start + 1)
        return None
    return None
