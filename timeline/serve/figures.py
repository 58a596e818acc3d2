"""The workbench's small figures as plain geometry for server-rendered SVG (no library, no script): events per
year as bars, an entity's ego graph as a ring around it, an entity's events on a time strip. Templates draw
them (``timeline/templates/workbench/figures.html.j2``); each mark links to the page of what it stands for."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    href: str = ""


def year_bars(counts: list[tuple[str, int]], width: int = 640, height: int = 160) -> list[Bar]:
    """One bar per year from the first to the last (empty years too, so gaps show), scaled to the tallest."""
    if not counts:
        return []
    known = dict(counts)
    years = [y for y in counts if y[0].isdigit()]
    if years:
        first, last = int(min(y for y, _ in years)), int(max(y for y, _ in years))
        if last - first < 200:  # a case spanning centuries keeps only its years with events
            known = {str(y): known.get(str(y), 0) for y in range(first, last + 1)} | known
    labels = sorted(known)
    top = max(known.values()) or 1
    slot = width / len(labels)
    plot = height - 34  # room for the count above and the year below
    out = []
    for i, label in enumerate(labels):
        h = plot * known[label] / top
        out.append(Bar(label, known[label], i * slot + slot * 0.15, 16 + plot - h, slot * 0.7, h))
    return out


@dataclass
class Node:
    id: str
    label: str
    kind: str
    x: float
    y: float
    weight: int = 0
    href: str = ""
    anchor: str = "middle"
    short: str = ""


def ego_ring(centre: Node, neighbours: list[Node], width: int = 560, height: int = 400) -> tuple[Node, list[Node]]:
    """``centre`` in the middle, ``neighbours`` (already the few to show) evenly on an ellipse around it, leaving
    room at the sides for their labels, which are shortened to fit and anchored away from the centre."""
    cx, cy = width / 2, height / 2
    rx, ry = width / 2 - 150, height / 2 - 45
    centre.x, centre.y, centre.short = cx, cy, _short(centre.label, 28)
    n = max(len(neighbours), 1)
    for i, node in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        node.x, node.y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        node.anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        node.short = _short(node.label, 20 if node.anchor == "middle" else 17)
    return centre, neighbours


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_STACK = 12  # dots stacked in one place at most; more are drawn over the top one


@dataclass
class Dot:
    id: str
    label: str
    date: str
    x: float
    y: float
    href: str


@dataclass
class Tick:
    label: str
    x: float


def time_strip(items: list[tuple[str, str, str, str, str]], width: int = 640) -> tuple[list[Dot], list[Tick], int]:
    """Events ``(id, label, date as written, sort date, href)`` as dots on a line by their sort date; dots that
    would overlap are stacked. Returns the dots, the year ticks and the height the figure needs."""
    days = [_day(sort) for _id, _label, _date, sort, _href in items]
    known = [d for d in days if d is not None]
    if not known:
        return [], [], 0
    first, last = min(known), max(known)
    first_year, last_year = date.fromordinal(first).year, date.fromordinal(last).year
    first = min(first, date(first_year, 1, 1).toordinal())
    last = max(last, date(last_year, 12, 31).toordinal())
    span = max(last - first, 1)
    left, usable = 10, width - 20
    dots: list[Dot] = []
    levels: dict[int, int] = {}  # dots already in each 9-px column: a later one is drawn above them
    for (eid, label, shown, _sort, href), day in zip(items, days, strict=True):
        if day is None:
            continue
        x = left + usable * (day - first) / span
        column = round(x / 9)
        level = levels.get(column, 0)
        levels[column] = level + 1
        dots.append(Dot(eid, label, shown, x, float(min(level, MAX_STACK - 1)), href))
    axis = 12 + 9 * min(max(levels.values()), MAX_STACK)
    for dot in dots:
        dot.y = axis - 8 - 9 * dot.y
    if last_year - first_year < 2:  # a year or two: a tick every quarter, so a reader can place the dots
        ticks = [Tick(str(y) if m == 1 else _MONTHS[m - 1], left + usable * (date(y, m, 1).toordinal() - first) / span)
                 for y in range(first_year, last_year + 1) for m in (1, 4, 7, 10)]
    else:
        years = range(first_year, last_year + 1)
        step = max(1, math.ceil(len(years) / 7))
        ticks = [Tick(str(y), left + usable * (date(y, 1, 1).toordinal() - first) / span)
                 for y in years if (y - first_year) % step == 0]
    return dots, ticks, axis + 22


def _day(sort: str) -> int | None:
    try:
        return date.fromisoformat(sort[:10]).toordinal()
    except ValueError:
        return None
