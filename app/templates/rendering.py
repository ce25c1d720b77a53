"""Template rendering: placeholders only, in a Jinja sandbox.

A template may print values (`{{ user_name }}`, `{{ annotation.content.value.total }}`)
through a few plain filters (`{{ name | default("there") | title }}`) and nothing
else: no statements, loops, calls, operators or globals. The syntax tree is checked
before rendering, so a template's cost is linear in its size and its values, and it
can reach only the plain data `placeholders` builds.
"""

import re
from dataclasses import dataclass
from typing import Any, cast

from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.errors import InvalidInput

# Filters whose output is at most a small multiple of their input.
ALLOWED_FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "escape", "e"}
)
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Filter,
)
PLACEHOLDERS_ONLY = (
    "Only placeholders like {{{{ name }}}} or {{{{ a.b }}}} are allowed,"
    " with the filters " + ", ".join(sorted(ALLOWED_FILTERS)) + "; not {what}."
)


def _environment(autoescape: bool) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=autoescape, undefined=ChainableUndefined
    )
    env.globals.clear()  # no range, lipsum, cycler...: nothing to call or print
    return env


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


def _check_tree(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            what = f"a {type(node).__name__.lower()} expression or statement"
            raise InvalidInput(PLACEHOLDERS_ONLY.format(what=what), field=field)
        if isinstance(node, nodes.Filter) and (
            node.name not in ALLOWED_FILTERS or node.kwargs or node.dyn_args
        ):
            raise InvalidInput(
                PLACEHOLDERS_ONLY.format(what="other filters"), field=field
            )
        if isinstance(node, nodes.Filter) and any(
            not isinstance(a, nodes.Const) for a in node.args
        ):
            raise InvalidInput(
                PLACEHOLDERS_ONLY.format(what="computed filter arguments"), field=field
            )
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            raise InvalidInput(
                PLACEHOLDERS_ONLY.format(what="computed keys"), field=field
            )
        if isinstance(node, nodes.Name | nodes.Getattr):
            name = node.name if isinstance(node, nodes.Name) else node.attr
            if name.startswith("_"):
                what = "names starting with an underscore"
                raise InvalidInput(PLACEHOLDERS_ONLY.format(what=what), field=field)


def check_syntax(source: str, *, html: bool, field: str) -> nodes.Template:
    """Refuse a template that is not placeholders-only (when saved or used)."""
    env = _HTML if html else _TEXT
    try:
        tree = env.parse(source)
    except TemplateError as exc:
        raise InvalidInput(
            f"The template does not compile: {exc}.", field=field
        ) from None
    _check_tree(tree, field)
    return tree


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Parsed:
    """A template checked once: the placeholders it names, and its rendering."""

    source: str
    html: bool
    field: str
    paths: list[Path]
    tree: nodes.Template | None  # None: no "{", so nothing but text


def parse(source: str, *, html: bool, field: str) -> Parsed:
    """`source` parsed and checked (placeholders only) once for all its uses."""
    if "{" not in source:  # no Jinja delimiter: plain text, nothing to parse
        return Parsed(source, html, field, [], None)
    tree = check_syntax(source, html=html, field=field)
    return Parsed(source, html, field, _paths(tree), tree)


def _paths(tree: nodes.Template) -> list[Path]:
    paths = []
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        keys: list[str | int] = []
        while isinstance(node, nodes.Getattr | nodes.Getitem):
            # _check_tree let only constant keys through
            key = node.attr if isinstance(node, nodes.Getattr) else node.arg
            keys.append(key if isinstance(key, str) else cast(nodes.Const, key).value)
            node = node.node
        if isinstance(node, nodes.Name):
            paths.append((node.name, *reversed(keys)))
    return paths


def placeholder_paths(source: str, *, html: bool, field: str) -> list[Path]:
    """Every placeholder the template names, as a path: `a.b["c"]` is (a, b, c)."""
    return parse(source, html=html, field=field).paths


def shown(path: Path) -> str:
    """A path as a template writes it."""
    return "{{ " + ".".join(str(key) for key in path) + " }}"


def render(source: str, context: dict[str, Any], *, html: bool, field: str) -> str:
    """Render a subject (text) or message (HTML, values escaped); errors name field."""
    return render_parsed(parse(source, html=html, field=field), context)


# How Jinja's lexer writes a template's text: each line break as "\n", and one
# final line break dropped (keep_trailing_newline is off).
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def render_parsed(parsed: Parsed, context: dict[str, Any]) -> str:
    if parsed.tree is None:
        lines = _LINE_BREAK.split(parsed.source)[::2]
        return "\n".join(lines[:-1] if lines[-1] == "" else lines)
    env = _HTML if parsed.html else _TEXT
    try:
        # Compiled from the checked tree: the source is not parsed again.
        return env.from_string(parsed.tree).render(context)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The template does not render: {exc}.", field=parsed.field
        ) from None
