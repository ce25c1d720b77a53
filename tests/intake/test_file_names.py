"""Attachment file names from hostile senders come out readable and harmless: no
bidi or zero-width tricks, no control characters, no paths, no Windows devices."""

import unicodedata

from app.documents.sniffing import sanitize_filename

# Windows' device names (learn.microsoft.com, "Naming Files, Paths, and Namespaces").
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³"
}
BIDI = [*"\u202a\u202b\u202c\u202d\u202e", *"\u2066\u2067\u2068\u2069"]
BIDI += ["\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, 0x85]] + ["\u2028", "\u2029"]


def hostile_names() -> list[str]:
    names = []
    for ch in BIDI + ZERO_WIDTH:
        names += [f"invoice{ch}fdp.exe", f"{ch}report.pdf", f"a{ch}b{ch}c.txt"]
    for base in sorted(RESERVED):
        for variant in (base, base.lower(), base.title()):
            for tail in ("", ".txt", ".tar.gz", ".", " ", " .txt", ". .", "\u200b.pdf"):
                names.append(variant + tail)
    names += [f"a{ch}b.pdf" for ch in CONTROLS]
    names += [
        "../../etc/passwd",
        "..\\..\\windows\\system32\\CON",
        "/abs/NUL.txt",
        "C:\\x\\LPT1",
        "\u202eCON.txt",
        "dir/\u200b",
        "....",
        " . ",
        "é" * 300 + ".pdf",
        "a" * 1000,
        "x" * 10 + "." + "y" * 400,
        "\u202e" * 300 + "real.pdf",
    ]
    return names


def _problems(name: str) -> list[str]:
    found = []
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        found.append("control or format character")
    if name.split(".", 1)[0].rstrip(" ").upper() in RESERVED:
        found.append("Windows device name")
    if "/" in name or "\\" in name:
        found.append("path separator")
    if not name or len(name.encode()) > 255:
        found.append("length")
    if name != name.strip() or name.endswith("."):
        found.append("leading or trailing space or dot")
    return found


def test_no_hostile_name_survives():
    names = hostile_names()
    assert len(names) >= 111
    results = {name: sanitize_filename(name, "attachment-1") for name in names}
    bad = {n: (r, _problems(r)) for n, r in results.items() if _problems(r)}
    assert bad == {}, f"{len(bad)} of {len(names)}"


def test_names_stay_readable():
    cases = {
        "invoice\u202efdp.exe": "invoicefdp.exe",
        "zero\u200bwidth\u200d.pdf": "zerowidth.pdf",
        "\ufeffbom.csv": "bom.csv",
        "CON": "_CON",
        "con.txt": "_con.txt",
        "Lpt9.tar.gz": "_Lpt9.tar.gz",
        "NUL .txt": "_NUL .txt",
        "aux.": "_aux",
        "CON\u200b.txt": "_CON.txt",
        "..\\..\\windows\\PRN": "_PRN",
        "line\u2028break.txt": "linebreak.txt",
        "tab\there.txt": "tabhere.txt",
        # not reserved: only the whole first name part counts
        "CONFIG.SYS": "CONFIG.SYS",
        "console.log": "console.log",
        "COM10.txt": "COM10.txt",
        "Rechnung März.pdf": "Rechnung März.pdf",
    }
    assert {n: sanitize_filename(n, "x") for n in cases} == cases
    assert sanitize_filename("\u200b\u202e", "attachment-2") == "attachment-2"
