"""The HTML templates (``timeline/templates/*.j2``): Jinja2 with autoescaping on for every template.

Every ``{{ value }}`` is escaped unless the value is :class:`markupsafe.Markup`, which a caller passes
explicitly, with a comment saying why the text is already safe (JSON made safe by
:func:`timeline.htmlsafe.script_json`, the pages' own JS and CSS, fixed SVG). Templates never mark text
safe themselves (no ``|safe``, no ``{% autoescape false %}``; tests/test_templating.py checks).

The escaping is spelled as :func:`html.escape` spells it (``&quot;``, ``&#x27;``; MarkupSafe writes
``&#34;``, ``&#39;``), so the pages are byte-identical to those the f-strings before made. Whitespace:
``trim_blocks`` and ``lstrip_blocks`` (a line holding only a block tag leaves nothing behind), and the
final newline is kept.

jinja2 is imported on first use, not with this module: ``import timeline.cli`` stays light.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _escape(value: Any) -> Any:
    """Each ``{{ value }}`` before autoescaping: plain text escaped as :func:`html.escape` does, None as "".

    The result is Markup, which the autoescape that follows leaves as it is; Markup passed in stays as it
    is. Without this the autoescape would still escape everything, only spelled differently.
    """
    from markupsafe import Markup

    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


@cache
def environment() -> jinja2.Environment:
    """The one environment: autoescape for every template name, undefined names an error."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return environment().get_template(name).render(**context)


def macros(name: str) -> Any:
    """The macros of template ``name``, as attributes; each call returns Markup."""
    return environment().get_template(name).module
