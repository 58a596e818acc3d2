"""The pages' colour themes, as CSS custom properties: the one place their colours are defined.

A page inlines :func:`theme_css` and sets ``<html data-theme="auto|light|dark|contrast">``
(:func:`check_theme`); its own CSS uses only the ``--tl-*`` properties of :data:`LIGHT`.
``auto`` is light, or dark when the reader's system asks for it (``prefers-color-scheme``);
``contrast`` is black on white with heavy borders. An accent colour (``--accent``) tints the
items, their bars and dots, the links and the focus ring; it is darkened (lightened in the dark
theme) until it keeps WCAG AA contrast against the backgrounds it is drawn on, so any accent
gives a readable page (:func:`palette` and :data:`PAIRS`; tests/test_render_timeline.py checks
every pair in every theme).
"""

from __future__ import annotations

import re

from timeline.errors import TimelineError

THEMES = ("auto", "light", "dark", "contrast")
DEFAULT_ACCENT = "#3b5fa8"

# Text needs 4.5:1 against its background, other things a person must see (borders of controls, item bars
# and dots, the focus ring) 3:1 (WCAG 2.1 AA, 1.4.3 and 1.4.11).
TEXT, GRAPHIC = 4.5, 3.0

#: The light theme. Accent-derived entries (accent, accent-text, item, item-border, focus) are filled in by
#: :func:`palette`.
LIGHT = {
    "bg": "#ffffff", "text": "#1b1f24", "muted": "#4b5563", "border": "#6b7280", "line": "#d1d5db",
    "panel": "#f6f8fa", "field": "#ffffff", "button": "#f6f8fa", "button-hover": "#e8ebef", "lane": "#fbfcfd",
    "axis-text": "#374151", "item-text": "#1b1f24", "item-date": "#374151", "mark": "#8a3500",
    "selected": "#fde68a", "selected-border": "#92400e", "selected-text": "#1b1f24", "selected-mark": "#6b2900",
    "badge": "#fff1e0", "badge-text": "#7a3000", "code": "#e8ebef",
}
DARK = {
    "bg": "#15181d", "text": "#e8eaed", "muted": "#b0b7c1", "border": "#8a929c", "line": "#3a414b",
    "panel": "#1d2128", "field": "#101317", "button": "#262b33", "button-hover": "#313843", "lane": "#1a1e24",
    "axis-text": "#c9ced6", "item-text": "#eef0f3", "item-date": "#c9ced6", "mark": "#ffb46b",
    "selected": "#4a3b06", "selected-border": "#f0c14b", "selected-text": "#ffffff", "selected-mark": "#ffd08a",
    "badge": "#3a2410", "badge-text": "#ffc48a", "code": "#2a3038",
}
CONTRAST = {
    "bg": "#ffffff", "text": "#000000", "muted": "#1f1f1f", "border": "#000000", "line": "#000000",
    "panel": "#ffffff", "field": "#ffffff", "button": "#ffffff", "button-hover": "#ffff00", "lane": "#ffffff",
    "axis-text": "#000000", "item-text": "#000000", "item-date": "#000000", "mark": "#000000",
    "selected": "#ffff00", "selected-border": "#000000", "selected-text": "#000000", "selected-mark": "#000000",
    "badge": "#ffffff", "badge-text": "#000000", "code": "#ffffff",
    "accent": "#000000", "accent-text": "#0000c8", "item": "#ffffff", "item-border": "#000000",
    "focus": "#c00000",
}

#: (foreground, background, minimum ratio): every pair the page draws, checked in every theme.
PAIRS = [
    ("text", "bg", TEXT), ("text", "panel", TEXT), ("muted", "bg", TEXT), ("muted", "panel", TEXT),
    ("muted", "lane", TEXT), ("text", "lane", TEXT), ("text", "field", TEXT), ("text", "button", TEXT),
    ("text", "button-hover", TEXT), ("accent-text", "bg", TEXT), ("accent-text", "panel", TEXT),
    ("axis-text", "bg", TEXT), ("item-text", "item", TEXT), ("item-date", "item", TEXT), ("mark", "item", TEXT),
    ("mark", "bg", TEXT), ("item-text", "bg", TEXT), ("item-date", "bg", TEXT), ("selected-text", "selected", TEXT),
    ("selected-mark", "selected", TEXT), ("badge-text", "badge", TEXT), ("text", "code", TEXT),
    ("border", "bg", GRAPHIC), ("border", "field", GRAPHIC), ("accent", "bg", GRAPHIC), ("accent", "lane", GRAPHIC),
    ("item-border", "item", GRAPHIC), ("item-border", "bg", GRAPHIC), ("focus", "bg", GRAPHIC),
    ("focus", "panel", GRAPHIC), ("selected-border", "bg", GRAPHIC),
]

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def check_accent(value: str | None) -> str:
    """The accent as ``#rrggbb`` (lower case); ``None`` is the default. Anything but ``#rgb``/``#rrggbb`` is refused."""
    if value is None:
        return DEFAULT_ACCENT
    if not _HEX.fullmatch(value):
        raise TimelineError(f"accent {value!r} is not a colour: write it as #rgb or #rrggbb, such as #0b57d0",
                            param="accent", said=f"accent {value!r}", value=value)
    digits = value[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def check_theme(value: str) -> str:
    if value not in THEMES:
        raise TimelineError(f"theme {value!r}: expected one of {', '.join(THEMES)}", param="theme",
                            said=f"theme {value!r}", value=value)
    return value


def _rgb(color: str) -> tuple[float, float, float]:
    return tuple(int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved towards ``b`` by ``t`` (0: ``a``, 1: ``b``)."""
    return _hex(tuple(x + (y - x) * t for x, y in zip(_rgb(a), _rgb(b), strict=True)))  # type: ignore[arg-type]


def _reaching(color: str, against: list[str], ratio: float, towards: str) -> str:
    """``color``, moved towards ``towards`` in small steps until it has ``ratio`` against every one of ``against``."""
    for step in range(21):
        candidate = mix(color, towards, step / 20)
        if all(contrast(candidate, other) >= ratio for other in against):
            return candidate
    return towards


def palette(theme: str, accent: str = DEFAULT_ACCENT) -> dict[str, str]:
    """Every colour of ``theme`` ("light", "dark" or "contrast") with ``accent`` made readable in it."""
    if theme == "contrast":
        return dict(CONTRAST)
    base = dict(DARK if theme == "dark" else LIGHT)
    ink = "#ffffff" if theme == "dark" else "#000000"
    backgrounds = [base["bg"], base["panel"], base["lane"]]
    out = dict(base)
    out["accent"] = _reaching(accent, backgrounds, GRAPHIC + 0.2, ink)
    out["accent-text"] = _reaching(accent, backgrounds, TEXT + 0.2, ink)
    out["item"] = mix(base["bg"], out["accent"], 0.16 if theme == "dark" else 0.12)
    out["item-border"] = _reaching(out["accent"], [out["item"], base["bg"]], GRAPHIC + 0.2, ink)
    out["focus"] = out["accent-text"]
    return out


def _block(selector: str, colors: dict[str, str], scheme: str) -> str:
    body = "".join(f"  --tl-{name}: {value};\n" for name, value in sorted(colors.items()))
    return f"{selector} {{\n{body}  color-scheme: {scheme};\n}}\n"


def theme_css(accent: str = DEFAULT_ACCENT) -> str:
    """The ``--tl-*`` custom properties of every theme, selected by ``<html data-theme>``; light when printed."""
    light, dark = palette("light", accent), palette("dark", accent)
    return "".join([
        _block(":root", light, "light"),
        "@media screen and (prefers-color-scheme: dark) {\n",
        _block(':root[data-theme="auto"]', dark, "dark"),
        "}\n",
        "@media screen {\n",
        _block(':root[data-theme="dark"]', dark, "dark"),
        _block(':root[data-theme="contrast"]', palette("contrast"), "light"),
        "}\n",
    ])
