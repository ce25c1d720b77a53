"""Deterministic attachment payloads (PDF, PNG, JPEG, ZIP, TNEF), so tests can
compare the sha256 of what they put in with what comes out."""

import io
import random
import struct
import zipfile
import zlib

# ---------------------------------------------------------------------------
# Payloads


def pdf(label: str) -> bytes:
    """A tiny PDF; `label` makes its bytes (and sha256) unique."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        + f"% {label}\n".encode()
        + b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(size: int = 0, *, seed: int = 0) -> bytes:
    """A valid 2x2 RGB PNG, padded with a private chunk to at least `size` bytes."""
    rows = b"".join(b"\x00" + bytes([seed % 256, 80, 160]) * 2 for _ in range(2))
    body = _png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    ) + _png_chunk(b"IDAT", zlib.compress(rows))
    image = b"\x89PNG\r\n\x1a\n" + body + _png_chunk(b"IEND", b"")
    missing = size - len(image) - 12
    if missing > 0:
        filler = random.Random(seed).randbytes(missing)
        image = image[:-12] + _png_chunk(b"prVt", filler) + image[-12:]
    return image


def jpeg(size: int = 2048, *, seed: int = 0) -> bytes:
    """JFIF header + filler + EOI: enough for any sniffer to say image/jpeg."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    filler = random.Random(seed).randbytes(max(size - len(head) - 2, 0))
    return head + filler.replace(b"\xff", b"\x00") + b"\xff\xd9"


def zip_archive(name: str = "data.txt", text: str = "hello") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, text)
    return buf.getvalue()


CSV = "item;amount;note\nwidget;12,50;naïve café\n".encode()

INVOICE_PDF = pdf("invoice 2024-001")

LOGO_PNG = png(6000, seed=1)  # the Outlook inline logo (referenced by cid:)

PHOTO_JPEG = jpeg(30_000, seed=2)


GMAIL_PDF = pdf("gmail statement")


NO_ID_PDF = pdf("anonymous")


def _tnef_attribute(level: int, attr_id: int, attr_type: int, data: bytes) -> bytes:
    """One TNEF attribute: level, id, type, length, data, 16-bit additive checksum."""
    return (
        struct.pack("<BHHI", level, attr_id, attr_type, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def tnef_blob(files: list[tuple[str, bytes]], *, title_codec: str = "utf-8") -> bytes:
    """A minimal valid TNEF stream (MS-OXTNEF): signature, key, version, OEM code
    page, message class, then per file attAttachRendData, attAttachTitle and
    attAttachData."""
    blob = struct.pack("<IH", 0x223E9F78, 0x0001)
    blob += _tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # version
    blob += _tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # code page
    blob += _tnef_attribute(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    for name, data in files:
        rend = struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)  # file attachment
        blob += _tnef_attribute(2, 0x9002, 0x0006, rend)
        blob += _tnef_attribute(2, 0x8010, 0x0001, name.encode(title_codec) + b"\x00")
        blob += _tnef_attribute(2, 0x800F, 0x0006, data)
    return blob


def _mapi_value(tag_type: int, tag_id: int, value: bytes) -> bytes:
    """One variable-length MAPI property: tag, one value, its length, padding."""
    padding = b"\x00" * (-len(value) % 4)
    return struct.pack("<HHII", tag_type, tag_id, 1, len(value)) + value + padding


def tnef_mapi_blob(files: list[tuple[str, bytes]]) -> bytes:
    """TNEF as newer Outlook writes it: each file's name and bytes as MAPI
    properties of attAttachment (PR_ATTACH_LONG_FILENAME, PR_ATTACH_DATA_OBJ), no
    attAttachData."""
    blob = struct.pack("<IH", 0x223E9F78, 0x0001)
    blob += _tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    blob += _tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    for name, data in files:
        rend = struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)
        blob += _tnef_attribute(2, 0x9002, 0x0006, rend)
        props = struct.pack("<I", 2)
        props += _mapi_value(0x001E, 0x3707, name.encode("cp1252") + b"\x00")
        props += _mapi_value(0x0102, 0x3701, data)
        blob += _tnef_attribute(2, 0x9005, 0x0006, props)
    return blob


def ole_document(label: str) -> bytes:
    """Bytes shaped like an OLE2 Word file: signature, content, and a last sector
    padded with zeros (which a reader that strips trailing NULs loses)."""
    content = label.encode() + random.Random(label).randbytes(600)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + content
    return data + b"\x00" * (-len(data) % 512 or 512)


TNEF_FILES = [
    ("contract.pdf", pdf("tnef contract")),
    ("notes.txt", b"Meeting notes\r\n"),
]


SMALL_PNG = png(0, seed=3)  # ~70 bytes

BIG_PNG = png(5000, seed=4)


ZIP_BYTES = zip_archive()
