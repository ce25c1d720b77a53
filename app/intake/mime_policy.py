"""The standard library's `policy.default`, with each header parsed once and
base64 bodies decoded without copies.

As shipped, every `msg["Content-Type"]` parses the header again, and every parse
asks the HeaderRegistry for its class, which builds a new class each time (`type()`
per lookup). The walk reads a part's content type, disposition, charset and file
name several times over: a third of a small message's parse was those lookups.
And get_payload(decode=True) of base64 makes three copies of the encoded text and
a list of its lines before decoding: 5x a large attachment, at once."""

import binascii
import re
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from typing import Any

_ABSENT = object()
# Base64 lines and the padding at the end: what the standard decoder (with
# validate=True, after joining the lines) reads without a defect.
_CLEAN_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}")


class _Registry(HeaderRegistry):
    """One class per header name, built on first use."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


class _Message(EmailMessage):
    """get() (and so `msg[name]`) remembers each header it parsed. What changes
    the headers forgets: the parser only appends them (set_raw), the rest is
    here for completeness."""

    def __init__(self, policy: Any = None) -> None:
        super().__init__(policy)
        self._parsed: dict[str, Any] = {}

    def get(self, name: str, failobj: Any = None) -> Any:
        key = name.lower()
        value = self._parsed.get(key, _ABSENT)
        if value is _ABSENT:
            value = self._parsed[key] = super().get(name, _ABSENT)
        return failobj if value is _ABSENT else value

    def get_payload(self, i: Any = None, decode: bool = False) -> Any:
        """A clean base64 body decoded straight from its text; anything else (and
        so every defect) as the standard library does it."""
        if decode and i is None and (data := self._clean_base64()) is not None:
            return data
        return super().get_payload(i, decode)  # type: ignore[call-overload]

    def _clean_base64(self) -> bytes | None:
        text = getattr(self, "_payload", None)
        if not isinstance(text, str) or self.is_multipart():
            return None
        if str(self.get("content-transfer-encoding", "")).lower() != "base64":
            return None
        if (len(text) - text.count("\r") - text.count("\n")) % 4:
            return None  # the standard decoder pads it, and records a defect
        if not text.isascii() or _CLEAN_BASE64.fullmatch(text) is None:
            return None
        return binascii.a2b_base64(text)

    def _changed(self) -> None:
        self._parsed.clear()

    def set_raw(self, name: str, value: Any) -> None:
        self._changed()
        super().set_raw(name, value)

    def __setitem__(self, name: str, val: Any) -> None:
        self._changed()
        super().__setitem__(name, val)

    def __delitem__(self, name: str) -> None:
        self._changed()
        super().__delitem__(name)

    def replace_header(self, _name: str, _value: Any) -> None:
        self._changed()
        super().replace_header(_name, _value)

    def add_header(self, _name: str, _value: Any, **_params: Any) -> None:
        self._changed()
        super().add_header(_name, _value, **_params)

    def set_boundary(self, boundary: str) -> None:
        self._changed()
        super().set_boundary(boundary)


PARSE_POLICY = policy.default.clone(
    header_factory=_Registry(), message_factory=_Message
)
