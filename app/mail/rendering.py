"""Template rendering in a Jinja sandbox.

The context holds only plain dicts, lists and strings built by `placeholders`, so a
template can read exactly those values and call nothing else. Operators that could
build huge strings are capped.
"""

from typing import Any

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from app.errors import InvalidInput

MAX_OUTPUT = 256 * 1024


class _CappedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_OUTPUT:
                raise SecurityError("result too large")
        return super().call_binop(context, operator, left, right)


_HTML = _CappedSandbox(autoescape=True, undefined=ChainableUndefined)
_TEXT = _CappedSandbox(autoescape=False, undefined=ChainableUndefined)


def render(source: str, context: dict[str, Any], *, html: bool, field: str) -> str:
    """Render a subject (text) or message (HTML, values escaped); errors name field."""
    env = _HTML if html else _TEXT
    try:
        result = env.from_string(source).render(context)
    except (SecurityError, OverflowError) as exc:
        raise InvalidInput(
            f"The template is not allowed: {exc}.", field=field
        ) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The template does not render: {exc}.", field=field
        ) from None
    if len(result) > MAX_OUTPUT:
        raise InvalidInput("The rendered template is too large.", field=field)
    return result


def check_syntax(source: str, *, html: bool, field: str) -> None:
    """Refuse a template that cannot compile, when it is saved rather than used."""
    try:
        (_HTML if html else _TEXT).parse(source)
    except TemplateError as exc:
        raise InvalidInput(
            f"The template does not compile: {exc}.", field=field
        ) from None
