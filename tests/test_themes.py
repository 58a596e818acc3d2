"""The pages' colour themes (timeline.render.themes): every pair of colours a page draws keeps WCAG AA contrast
in every theme, whatever accent a user gives; a bad accent is refused with a message naming it."""

from __future__ import annotations

import re

import pytest

from timeline.errors import TimelineError
from timeline.render import themes

ACCENTS = ["#3b5fa8", "#ffff00", "#ffffff", "#000000", "#00ff00", "#e91e63", "#123", "#808080", "#0ff"]


@pytest.mark.parametrize("accent", ACCENTS)
@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
def test_every_pair_is_readable_with_any_accent(theme: str, accent: str) -> None:
    colors = themes.palette(theme, themes.check_accent(accent))
    low = [(fg, bg, round(themes.contrast(colors[fg], colors[bg]), 2)) for fg, bg, ratio in themes.PAIRS
           if themes.contrast(colors[fg], colors[bg]) < ratio]
    assert low == []


def test_the_accent_is_kept_where_it_is_readable() -> None:
    assert themes.palette("light", "#3b5fa8")["accent"] == "#3b5fa8"
    assert themes.palette("light", "#ffff00")["accent"] != "#ffff00"  # yellow on white is darkened
    assert themes.palette("dark", "#ffff00")["accent"] == "#ffff00"  # and kept on a dark background


def test_contrast_matches_wcag() -> None:
    assert themes.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("value", ["red", "#12", "#1234", "#ggg", "3b5fa8", "#3b5fa8 ", "", "#3b5fa8;x"])
def test_a_bad_accent_is_refused_naming_it(value: str) -> None:
    with pytest.raises(TimelineError) as info:
        themes.check_accent(value)
    assert info.value.param == "accent"
    assert info.value.naming("--accent").startswith(f"--accent {value}".rstrip())
    assert "#rgb or #rrggbb" in str(info.value)


def test_short_accents_are_expanded() -> None:
    assert themes.check_accent("#AbC") == "#aabbcc"
    assert themes.check_accent(None) == themes.DEFAULT_ACCENT


def test_css_has_every_property_in_every_theme() -> None:
    css = themes.theme_css("#e91e63")
    blocks = dict(re.findall(r'(:root(?:\[data-theme="\w+"\])?) \{(.*?)\}', css, re.S))
    assert set(blocks) == {":root", ':root[data-theme="auto"]', ':root[data-theme="dark"]',
                           ':root[data-theme="contrast"]'}
    names = {frozenset(re.findall(r"--tl-([\w-]+):", body)) for body in blocks.values()}
    assert len(names) == 1 and "accent" in next(iter(names))
    # Dark only on screen: auto follows the reader's system, and paper is always light.
    assert '@media screen and (prefers-color-scheme: dark) {\n:root[data-theme="auto"]' in css
    assert "<" not in css  # inlined into a <style> element as it is
