"""The standard library's `policy.default`, with each header parsed once.

As shipped, every `msg["Content-Type"]` parses the header again, and every parse
asks the HeaderRegistry for its class, which builds a new class each time (`type()`
per lookup). The walk reads a part's content type, disposition, charset and file
name several times over: a third of a small message's parse was those lookups."""

from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from typing import Any

_ABSENT = object()


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
