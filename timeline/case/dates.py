"""Dates with their precision: EDTF in, ``xsd:date`` bounds out.

Supported EDTF (ISO 8601-2) forms:

* level 0: ``2018``, ``2018-06``, ``2018-06-12``, intervals ``2020-06-10/2021-06``
* level 1: seasons ``2018-22`` (21 spring .. 24 winter), qualifiers ``?`` ``~``
  ``%`` at the end of a date, unspecified digits ``201X`` ``2018-XX``, open
  (``2017/..``) and unknown (``2017/``) interval ends
* level 2, one of a range: ``[2018-10-15..2018-10-22]``, ``[..2018-05-22]``

Every date becomes four bounds (earliest/latest begin, earliest/latest end) so
that a date-window query is an overlap test on plain ``xsd:date`` values, which
every SPARQL engine compares correctly. Qualifiers are recorded as flags; they
do not widen the bounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # written out: calendar's names follow the locale, and importing it costs 1.4 ms
SEASONS = {21: ("spring", 3, 5), 22: ("summer", 6, 8), 23: ("autumn", 9, 11), 24: ("winter", 12, 14)}
UNITS = ("day", "month", "season", "year", "decade", "century")

_DATE_RE = re.compile(
    r"^(?P<year>[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?(?P<qual>[?~%])?\Z"
)


class EdtfError(ValueError):
    """An EDTF string that is malformed or describes an impossible date."""


@dataclass(frozen=True)
class SimpleDate:
    """One EDTF date (not an interval): its bounds and how precise it is."""

    text: str
    lo: date
    hi: date
    unit: str
    approximate: bool = False
    uncertain: bool = False

    @property
    def label(self) -> str:
        return _label_simple(self)


@dataclass(frozen=True)
class DateSpan:
    """A parsed EDTF value with the four SEM bounds.

    A bound is ``None`` where the EDTF leaves it open or unknown
    (``2017/..`` has no end bounds; ``[..2018-05-22]`` no earliest bounds).
    """

    edtf: str
    earliest_begin: date | None
    latest_begin: date | None
    earliest_end: date | None
    latest_end: date | None
    unit: str
    approximate: bool
    uncertain: bool
    is_interval: bool
    label: str

    @property
    def sort_date(self) -> date:
        """The earliest known bound; used to order events chronologically."""
        for value in (self.earliest_begin, self.latest_begin, self.earliest_end, self.latest_end):
            if value is not None:
                return value
        raise EdtfError(f"{self.edtf!r} has no known bound")  # parse_edtf prevents this

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """Whether the span could overlap the window [start, end] (None = open)."""
        if end is not None and self.earliest_begin is not None and self.earliest_begin > end:
            return False
        if start is not None and self.latest_end is not None and self.latest_end < start:
            return False
        return True


def last_day(year: int, month: int) -> int:
    """The number of days in a month (Gregorian, as ``xsd:date``)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _digits(part: str, low: str, high: str) -> tuple[str, str]:
    """Replace unspecified digits X by the smallest and largest digit."""
    return part.replace("X", low), part.replace("X", high)


def parse_simple(text: str) -> SimpleDate:
    """Parse one EDTF date such as ``2018-06``, ``2018-22~`` or ``201X``."""
    m = _DATE_RE.match(text)
    if not m:
        raise EdtfError(f"{text!r} is not an EDTF date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    qual = m["qual"] or ""
    approximate, uncertain = qual in "~%" and bool(qual), qual in "?%" and bool(qual)
    ylo, yhi = (int(v) for v in _digits(m["year"], "0", "9"))
    xs = m["year"].count("X")
    if xs and (m["year"].rstrip("X") + "X" * xs != m["year"]):
        raise EdtfError(f"{text!r}: unspecified digits must be the last digits of the year")
    if ylo < 1:
        raise EdtfError(f"{text!r}: year 0000 is not supported")
    if m["month"] is None:
        unit = {0: "year", 1: "decade", 2: "century"}.get(xs)
        if unit is None:
            raise EdtfError(f"{text!r}: at most two unspecified year digits are supported")
        return SimpleDate(text, date(ylo, 1, 1), date(yhi, 12, 31), unit, approximate, uncertain)
    if xs:
        raise EdtfError(f"{text!r}: a year with unspecified digits cannot have a month")
    year = ylo
    month_text = m["month"]
    if month_text == "XX":
        if m["day"] not in (None, "XX"):
            raise EdtfError(f"{text!r}: a day needs a known month")
        return SimpleDate(text, date(year, 1, 1), date(year, 12, 31), "year", approximate, uncertain)
    if "X" in month_text:
        raise EdtfError(f"{text!r}: a month is either fully known or XX")
    month = int(month_text)
    if month in SEASONS:
        if m["day"] is not None:
            raise EdtfError(f"{text!r}: a season cannot have a day")
        _name, first, last = SEASONS[month]
        end_year, end_month = (year + 1, last - 12) if last > 12 else (year, last)
        if end_year > 9999:
            raise EdtfError(f"{text!r}: winter {year} runs into year {end_year}, past the supported range")
        hi = date(end_year, end_month, last_day(end_year, end_month))
        return SimpleDate(text, date(year, first, 1), hi, "season", approximate, uncertain)
    if not 1 <= month <= 12:
        raise EdtfError(f"{text!r}: month {month_text} does not exist (01-12, or 21-24 for seasons)")
    days = last_day(year, month)
    if m["day"] is None or m["day"] == "XX":
        return SimpleDate(text, date(year, month, 1), date(year, month, days), "month", approximate, uncertain)
    if "X" in m["day"]:
        raise EdtfError(f"{text!r}: a day is either fully known or XX")
    day = int(m["day"])
    if not 1 <= day <= days:
        raise EdtfError(f"{text!r}: {MONTHS[month - 1]} {year} has no day {day}")
    d = date(year, month, day)
    return SimpleDate(text, d, d, "day", approximate, uncertain)


def parse_edtf(text: str) -> DateSpan:
    """Parse an EDTF value into a :class:`DateSpan`; raise :class:`EdtfError`."""
    if not isinstance(text, str):
        raise EdtfError(f"{text!r} is not an EDTF string")
    return _parse_edtf(text)


@lru_cache(maxsize=4096)
def _parse_edtf(text: str) -> DateSpan:
    """Remembered: a case's events share months and days, and a DateSpan cannot be changed."""
    value = text.strip()
    if value != text or not value:
        raise EdtfError(f"{text!r}: an EDTF date has no surrounding spaces and is not empty")
    if value.startswith("["):
        return _parse_one_of(value)
    if "/" in value:
        return _parse_interval(value)
    d = parse_simple(value)
    return DateSpan(value, d.lo, d.hi, d.lo, d.hi, d.unit, d.approximate, d.uncertain, False, d.label)


def _parse_interval(value: str) -> DateSpan:
    if value.count("/") != 1:
        raise EdtfError(f"{value!r}: an interval has exactly one '/'")
    left, right = value.split("/")
    start = None if left in ("", "..") else parse_simple(left)
    end = None if right in ("", "..") else parse_simple(right)
    if start is None and end is None:
        raise EdtfError(f"{value!r}: an interval needs at least one known end")
    if start is not None and end is not None and start.lo > end.hi:
        raise EdtfError(f"{value!r}: the interval ends before it starts")
    units = [d.unit for d in (start, end) if d is not None]
    label = _label_interval(start, end, left, right)
    earliest_begin, latest_begin = (start.lo, start.hi) if start else (None, None)
    earliest_end, latest_end = (end.lo, end.hi) if end else (None, None)
    # Ends of different precision ("2018-06-15/2018-06"): an interval cannot end before it begins.
    if earliest_begin and earliest_end and earliest_end < earliest_begin:
        earliest_end = earliest_begin
    if latest_begin and latest_end and latest_begin > latest_end:
        latest_begin = latest_end
    return DateSpan(
        value,
        earliest_begin,
        latest_begin,
        earliest_end,
        latest_end,
        max(units, key=UNITS.index),
        any(d.approximate for d in (start, end) if d),
        any(d.uncertain for d in (start, end) if d),
        True,
        label,
    )


def _parse_one_of(value: str) -> DateSpan:
    if not value.endswith("]") or ".." not in value or "," in value:
        raise EdtfError(f"{value!r}: only a one-of range such as [2018-10-15..2018-10-22] is supported")
    inner = value[1:-1]
    left, _, right = inner.partition("..")
    if ".." in right:
        raise EdtfError(f"{value!r}: a one-of range has a single '..'")
    lo = parse_simple(left) if left else None
    hi = parse_simple(right) if right else None
    if lo is None and hi is None:
        raise EdtfError(f"{value!r}: a one-of range needs at least one known end")
    if lo is not None and hi is not None and lo.lo > hi.hi:
        raise EdtfError(f"{value!r}: the range ends before it starts")
    lo_d, hi_d = (lo.lo if lo else None), (hi.hi if hi else None)
    if lo and hi:
        label = f"between {_label_simple(lo)} and {_label_simple(hi)}"
    elif hi:
        label = f"on or before {_label_simple(hi)}"
    else:
        label = f"on or after {_label_simple(lo)}"
    units = [d.unit for d in (lo, hi) if d is not None]
    approximate = any(d.approximate for d in (lo, hi) if d is not None)
    return DateSpan(value, lo_d, hi_d, lo_d, hi_d, min(units, key=UNITS.index), approximate, True, False, label)


def _label_simple(d: SimpleDate) -> str:
    text = d.text.rstrip("?~%")
    if d.unit == "day":
        base = f"{d.lo.day} {MONTHS[d.lo.month - 1]} {d.lo.year}"
    elif d.unit == "month":
        base = f"{MONTHS[d.lo.month - 1]} {d.lo.year}"
    elif d.unit == "season":
        base = f"{SEASONS[int(text[5:7])][0]} {d.lo.year}"
    elif d.unit == "year":
        base = str(d.lo.year)
    elif d.unit == "decade":
        base = f"{d.lo.year}s"
    else:
        base = f"{d.lo.year}–{d.hi.year}"
    if d.approximate and d.uncertain:
        return f"about {base}?"
    if d.approximate:
        return f"about {base}"
    if d.uncertain:
        return f"{base}?"
    return base


def _label_interval(start: SimpleDate | None, end: SimpleDate | None, left: str, right: str) -> str:
    first = _label_simple(start) if start else ("unknown" if left == "" else "open start")
    if end is None:
        return f"{first} – {'unknown end' if right == '' else 'ongoing'}"
    return f"{first} – {_label_simple(end)}"


def parse_iso_date(text: str) -> date:
    """Parse a ``--param`` style date: ``2018``, ``2018-06`` or ``2018-06-12`` (its first day)."""
    return parse_simple(text).lo
