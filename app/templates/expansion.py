"""Placeholders checked against what exists, and custom values expanded.

A send's custom values (templateValues keys) may hold placeholders themselves
("{{ greeting }}" = "Dear {{ current_user_fullname }}"): each is expanded once,
the values it names first, before the email's texts are rendered. A cycle, a
chain deeper than MAX_DEPTH or a value growing past the message size is refused.
Only the caller's own values are expanded: a built-in's text (a parent's subject,
written by whoever sent it) is inserted as it is, never read as a template.

An unknown placeholder is refused naming it: at a send, whatever the built-ins
and the given values do not hold; when a template is saved, a name under a
built-in that does not exist (custom names arrive with each send), and for the
templates Mailroom sends itself (rejections, automatic notices) any name it does
not provide; an automatic notice has no sending user, so no user placeholders."""

from dataclasses import dataclass
from typing import Any

from app.core.errors import InvalidInput
from app.core.limits import limits
from app.templates.models import TemplateType
from app.templates.placeholders import ANY, AUTOMATION_SAFE, BUILT_IN, LEAF, Spec
from app.templates.rendering import (
    Path,
    parse,
    placeholder_paths,
    render_parsed,
    shown,
)

MAX_DEPTH = 5
# What Mailroom itself gives the templates it renders without a send's values.
OWN_VALUES: dict[TemplateType, Spec] = {
    TemplateType.REJECTION: {"reason": LEAF},
    TemplateType.AUTOMATIC_REJECTION: {},
}
# The built-ins each such template may use (all of them unless named here).
OWN_BUILT_INS: dict[TemplateType, Spec] = {
    TemplateType.AUTOMATIC_STATUS_CHANGED_INFO: AUTOMATION_SAFE,
}


def _known(path: Path, spec: Any) -> bool:
    for key in path:
        if spec is ANY:
            return True
        if not isinstance(spec, dict) or key not in spec:
            return False
        spec = spec[key]
    return True


def spec_of(value: Any) -> Any:
    """The names a custom value holds: a JSON object's keys, nested."""
    if isinstance(value, dict):
        return {key: spec_of(item) for key, item in value.items()}
    return ANY if isinstance(value, list) else LEAF


def check_known(paths: list[Path], spec: Spec, *, field: str) -> None:
    for path in paths:
        if not _known(path, spec):
            raise InvalidInput(f"Unknown placeholder {shown(path)}.", field=field)


def check_saved(source: str, *, html: bool, type: TemplateType, field: str) -> None:
    """A template being saved names only placeholders that can exist."""
    paths = placeholder_paths(source, html=html, field=field)
    built_in = OWN_BUILT_INS.get(type, BUILT_IN)
    own = OWN_VALUES.get(type, {} if type in OWN_BUILT_INS else None)
    if own is None:  # custom names are known once a send gives them
        paths = [p for p in paths if p[0] in BUILT_IN]
        own = {}
    check_known(paths, {**own, **built_in}, field=field)


@dataclass(frozen=True)
class Placeholders:
    """A send's placeholder values, custom ones expanded; renders its texts."""

    context: dict[str, Any]
    spec: Spec

    def render(self, source: str, *, html: bool, field: str) -> str:
        parsed = parse(source, html=html, field=field)
        check_known(parsed.paths, self.spec, field=field)
        _check_growth(source, parsed.paths, self.context, field=field)
        return render_parsed(parsed, self.context)


def placeholders(built_in: dict[str, Any], custom: dict[str, Any]) -> Placeholders:
    """The values of a send: `built_in` (build_context's) and `custom` expanded."""
    spec = {**{key: spec_of(value) for key, value in custom.items()}, **BUILT_IN}
    expanded: dict[str, Any] = {}

    def expand(key: str, chain: list[str]) -> None:
        field = f"templateValues.{key}"
        value = custom[key]
        if key in expanded:
            return
        if key in chain:
            cycle = " -> ".join([*chain[chain.index(key) :], key])
            raise InvalidInput(f"Placeholders refer in a cycle: {cycle}.", field=field)
        if len(chain) >= MAX_DEPTH:
            raise InvalidInput(
                f"Placeholders nest deeper than {MAX_DEPTH} levels: "
                + " -> ".join([*chain, key]),
                field=field,
            )
        if not isinstance(value, str) or "{" not in value:
            expanded[key] = value
            return
        parsed = parse(value, html=False, field=field)
        paths = parsed.paths
        check_known(paths, spec, field=field)
        for name in dict.fromkeys(p[0] for p in paths):
            if name in custom and name not in built_in:
                expand(str(name), [*chain, key])
        context = {**custom, **expanded, **built_in}
        _check_growth(value, paths, context, field=field)
        expanded[key] = render_parsed(parsed, context)

    for key in custom:
        expand(key, [])
    return Placeholders(context={**expanded, **built_in}, spec=spec)


def _check_growth(
    source: str, paths: list[Path], context: dict[str, Any], *, field: str
) -> None:
    """Refuse before rendering what would outgrow an email's message: a value is
    printed once per mention (the filters allowed grow text by a small factor)."""
    mentioned = [str(p[0]) for p in paths]
    size = len(source) + sum(len(str(context.get(name, ""))) for name in mentioned)
    if size > limits().send_message_bytes:
        raise InvalidInput(
            f"With its placeholders' values this is over "
            f"{limits().send_message_bytes} bytes.",
            field=field,
        )
