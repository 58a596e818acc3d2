"""Dates with their precision: EDTF in, ``xsd:date`` bounds out.

Supported EDTF (ISO 8601-2, the Library of Congress EDTF specification of 2019):

* level 0: ``2018``, ``2018-06``, ``2018-06-12``; date-times ``1985-04-12T23:20:30`` with ``Z`` or an offset
  (``-04``, ``+04:30``); intervals of dates ``2020-06-10/2021-06``
* level 1: seasons ``2018-22`` (21 spring .. 24 winter), qualifiers ``?`` ``~`` ``%`` at the end of a date,
  unspecified digits ``201X`` ``20XX`` ``2018-XX`` ``2018-06-XX`` ``2018-XX-XX``, open (``2017/..``) and unknown
  (``2017/``) interval ends
* level 2, one of a set: a range ``[2018-10-15..2018-10-22]``, ``[..2018-05-22]``, ``[2018-12..]``, and lists
  ``[2018-06-01,2018-06-03]``, ``[1667,1668,1670..1672]``, ``[1760-01,1760-02,1760-12..]``

Every date becomes four bounds (earliest/latest begin, earliest/latest end) so that a date-window query is an
overlap test on plain ``xsd:date`` values, which every SPARQL engine compares correctly. Qualifiers are recorded
as flags; they do not widen the bounds.

What the bounds mean:

* a date: begin and end bounds are its first and last day (``2018-22``, summer: 1 June to 31 August; winter
  ``2018-24`` runs from 1 December 2018 to the end of February 2019).
* a date-time: the calendar date as written, whatever the offset. ``1985-04-12T23:20:30-04`` was 13 April in
  UTC, but its bounds are 12 April 1985: bounds are dates without a time zone, like every other date of a case,
  and a report dates an event by the local day. The time and offset stay in the EDTF and in the label.
* an interval ``a/b``: it begins within ``a`` and ends within ``b``; an open (``..``) or unknown (empty) end
  has no bounds on that side.
* one of a set ``[...]``: a single date, one of the members, not known which (so ``uncertain``): earliest
  begin = earliest end = the first day of the earliest member, latest begin = latest end = the last day of the
  latest member, whatever lies between the members. ``[..x]`` and ``[x..]`` leave that side unbounded.

Out of scope, each refused with one line naming the value and what to write instead (:data:`OUT_OF_SCOPE`):
years before 0001 (``0000`` and negative years: the bounds are Python dates, 0001 to 9999, all through the
graph, the views and the pages) and after 9999 (``Y170000002``, ``Y-17E7``); significant
digits (``1950S2``); sub-year groupings 25-41 (``2001-34``, hemisphere seasons, quarters, semesters); more
than two unspecified year digits (``1XXX``, ``XXXX``) and unspecified digits anywhere else than the forms
above (``156X-12-25``, ``1984-1X``, ``1560-XX-25``); a qualifier on part of a date (``2004?-06-11``,
``2004-06-~11``, ``?2004``); "all of" sets (``{1667,1668}``); date-times as interval ends or set members;
and spaces inside a set (``[1667, 1668]``, the 2012 draft's spelling).
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
# EDTF level 0 date-time: a full date, "T", hh:mm:ss, then "Z" or an offset (checked in _parse_time).
_DATETIME_RE = re.compile(r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
                          r"(?P<zone>Z|[+-][0-9]{2}(?::[0-9]{2})?)?\Z")
_TIME_SHAPE = "hh:mm:ss, then Z or an offset such as -04 or +04:30"

#: The EDTF features this module refuses, each with an example: the error for each names the value and says what
#: to write instead (tests/test_edtf_conformance.py checks every one).
OUT_OF_SCOPE = {
    "year 0000 and negative years": "-0999",
    "years of more than four digits": "Y170000002",
    "exponential years": "Y-17E7",
    "significant digits": "1950S2",
    "sub-year groupings 25-41": "2001-34",
    "more than two unspecified year digits": "1XXX",
    "unspecified digits elsewhere": "156X-12-25",
    "qualifying part of a date": "2004?-06-11",
    "all of a set": "{1960,1961-12}",
    "a date-time as an interval end": "2004-01-01T10:10:10/2005",
    "spaces inside a set": "[1667, 1668]",
}


class EdtfError(ValueError):
    """An EDTF string that is malformed, describes an impossible date, or uses a feature out of scope."""


@dataclass(frozen=True)
class SimpleDate:
    """One EDTF date (not an interval): its bounds and how precise it is.

    ``time`` is the time of day of a date-time as written (``23:20:30+04:30``), else "".
    """

    text: str
    lo: date
    hi: date
    unit: str
    approximate: bool = False
    uncertain: bool = False
    time: str = ""

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
    """Parse one EDTF date such as ``2018-06``, ``2018-22~``, ``201X`` or ``1985-04-12T23:20:30Z``."""
    if "T" in text:
        return _parse_datetime(text)
    m = _DATE_RE.match(text)
    if not m:
        raise EdtfError(_unsupported(text) or
                        f"{text!r} is not an EDTF date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    qual = m["qual"] or ""
    approximate, uncertain = qual in "~%" and bool(qual), qual in "?%" and bool(qual)
    ylo, yhi = (int(v) for v in _digits(m["year"], "0", "9"))
    xs = m["year"].count("X")
    if xs and (m["year"].rstrip("X") + "X" * xs != m["year"]):
        raise EdtfError(f"{text!r}: unspecified digits must be the last digits of the year; "
                        "write 201X (a decade) or 20XX (a century)")
    if xs > 2:
        raise EdtfError(f"{text!r}: at most two unspecified year digits are supported (201X, 20XX); "
                        f"for a longer or unknown span write the years it lies in, e.g. [{ylo:04d}..{yhi:04d}]"
                        if ylo else
                        f"{text!r}: an unknown year (more than two X digits) is not supported; "
                        "write the years it may lie in, e.g. 19XX or [1900..2018]")
    if ylo < 1:
        raise EdtfError(_year_zero(text))
    if m["month"] is None:
        unit = {0: "year", 1: "decade", 2: "century"}[xs]
        return SimpleDate(text, date(ylo, 1, 1), date(yhi, 12, 31), unit, approximate, uncertain)
    if xs:
        rest = text[4:].rstrip("?~%")
        raise EdtfError(f"{text!r}: a year with unspecified digits cannot have a month; write {m['year']} alone, "
                        f"or list every date it may be: [{ylo:04d}{rest},{ylo + 1:04d}{rest},…,{yhi:04d}{rest}]")
    year = ylo
    month_text = m["month"]
    if month_text == "XX":
        if m["day"] not in (None, "XX"):
            y, d = m["year"], m["day"]
            raise EdtfError(f"{text!r}: a day needs a known month; write {y}-XX-XX (some day in {y}) or list "
                            f"every date it may be: [{y}-01-{d},{y}-02-{d},…,{y}-12-{d}]")
        return SimpleDate(text, date(year, 1, 1), date(year, 12, 31), "year", approximate, uncertain)
    if "X" in month_text:
        raise EdtfError(f"{text!r}: a month is either fully known or XX; write {m['year']}-XX (some month of "
                        f"{m['year']}) or a range of months such as [{m['year']}-10..{m['year']}-12]")
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
    if 25 <= month <= 41:
        raise EdtfError(f"{text!r}: sub-year groupings 25-41 (hemisphere seasons, quarters, semesters) are not "
                        f"supported; write the months as an interval, e.g. {m['year']}-04/{m['year']}-06")
    if not 1 <= month <= 12:
        raise EdtfError(f"{text!r}: month {month_text} does not exist (01-12, or 21-24 for seasons)")
    days = last_day(year, month)
    if m["day"] is None or m["day"] == "XX":
        return SimpleDate(text, date(year, month, 1), date(year, month, days), "month", approximate, uncertain)
    if "X" in m["day"]:
        raise EdtfError(f"{text!r}: a day is either fully known or XX; write {m['year']}-{month_text}-XX, or "
                        f"the days as a range such as [{m['year']}-{month_text}-10..{m['year']}-{month_text}-19]")
    day = int(m["day"])
    if not 1 <= day <= days:
        raise EdtfError(f"{text!r}: {MONTHS[month - 1]} {year} has no day {day}")
    d = date(year, month, day)
    return SimpleDate(text, d, d, "day", approximate, uncertain)


def _year_zero(text: str) -> str:
    return (f"{text!r}: year 0000 (1 BC) and earlier years are not supported (dates run from 0001 to 9999); "
            "write it in the event's description instead")


def _parse_datetime(text: str) -> SimpleDate:
    """A level 0 date-time: bounds are the calendar date as written (see the module docstring)."""
    m = _DATETIME_RE.match(text)
    if not m:
        raise EdtfError(f"{text!r} is not an EDTF date-time (expected YYYY-MM-DDT{_TIME_SHAPE}; no "
                        "qualifier, no fraction of a second)")
    day = parse_simple(m["date"])
    _check_time(text, m["time"], m["zone"] or "")
    return SimpleDate(text, day.lo, day.hi, "day", time=m["time"] + (m["zone"] or ""))


def _check_time(text: str, time: str, zone: str) -> None:
    """The EDTF grammar's time: 00:00:00 to 23:59:59 or 24:00:00; offset Z, or +/- 01 to 13 with optional minutes,
    14:00, or 00:01 to 00:59 (a zero offset is written Z)."""
    hour, minute, second = (int(v) for v in time.split(":"))
    if not (hour < 24 and minute < 60 and second < 60) and time != "24:00:00":
        raise EdtfError(f"{text!r}: {time} is not a time of day (00:00:00 to 23:59:59, or 24:00:00)")
    if zone in ("", "Z"):
        return
    hours, _, minutes = zone[1:].partition(":")
    h, mins = int(hours), int(minutes or 0)
    if (h, mins) == (0, 0):
        raise EdtfError(f"{text!r}: write a zero offset as Z")
    if mins > 59 or h > 14 or (h == 14 and zone[1:] != "14:00"):
        raise EdtfError(f"{text!r}: {zone} is not a time zone offset (Z, or -14:00 to +14:00 as hh or hh:mm; "
                        "write 14 hours as 14:00)")


def _unsupported(text: str) -> str | None:
    """The message for a known EDTF feature this module does not support, or None (then it is no EDTF)."""
    bare = text.rstrip("?~%")
    if re.fullmatch(r"-[0-9X]{4}(-[0-9X]{2}){0,2}", bare):
        return _year_zero(text)
    if re.fullmatch(r"Y-?[0-9]+(E[0-9]+)?(S[0-9]+)?", text):
        return (f"{text!r}: years before 0001 or after 9999 (Y...) are not supported; "
                "write it in the event's description instead")
    m = re.fullmatch(r"([0-9]{4})S([0-9]+)", bare)
    if m:
        digits = m[2] if m[2].isdigit() and 1 <= int(m[2]) <= 4 else "2"
        guess = m[1][:int(digits)] + "X" * (4 - int(digits))
        return (f"{text!r}: significant digits (S) are not supported; write the years it lies in, e.g. "
                f"[{guess.replace('X', '0')}..{guess.replace('X', '9')}], or the estimate as {m[1]}~")
    if re.fullmatch(r"[0-9X]{4}(-[0-9X]{2}){0,2}[?~%]{2,}", text):
        return (f"{text!r}: one qualifier at the end of a date: ? uncertain, ~ approximate, % both; "
                f"write {bare}%")
    if re.fullmatch(r"[?~%]?[0-9X]{4}[?~%]?(-[?~%]?[0-9X]{2}[?~%]?){0,2}", text):
        plain = re.sub(r"[?~%]", "", text)
        marks = "".join(dict.fromkeys(c for c in text if c in "?~%"))
        mark = "%" if len(marks) > 1 else marks
        return (f"{text!r}: a qualifier on part of a date is not supported; qualify the whole date at its end: "
                f"write {plain}{mark}")
    return None


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
    if value.startswith("{"):
        raise EdtfError(f"{value!r}: 'all of' sets {{...}} are not supported; give each date its own event, "
                        f"or write the whole span as an interval such as 1960/1961-12")
    if value.startswith("[") or "/" in value:
        try:
            return _parse_one_of(value) if value.startswith("[") else _parse_interval(value)
        except EdtfError as exc:  # a part's message: say which value it is part of
            message = str(exc)
            raise EdtfError(message if message.startswith(repr(value)) else f"{value!r}: {message}") from None
    d = parse_simple(value)
    return DateSpan(value, d.lo, d.hi, d.lo, d.hi, d.unit, d.approximate, d.uncertain, False, d.label)


def _member(text: str, value: str, where: str) -> SimpleDate:
    """A date inside an interval or a set: a date, never a date-time."""
    d = parse_simple(text)
    if d.time:
        raise EdtfError(f"{value!r}: a date-time cannot be {where} (EDTF intervals and sets are of dates); "
                        f"write {value.replace(text, text.partition('T')[0])!r}")
    return d


def _parse_interval(value: str) -> DateSpan:
    if value.count("/") != 1:
        raise EdtfError(f"{value!r}: an interval has exactly one '/'")
    left, right = value.split("/")
    start = None if left in ("", "..") else _member(left, value, "an interval end")
    end = None if right in ("", "..") else _member(right, value, "an interval end")
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


# One member of a one-of set: a date, or a range a..b whose first end may be left out in the set's first member
# ("[..1760-12-03]") and whose second end in its last ("[1760-12..]").
_Member = tuple[SimpleDate | None, SimpleDate | None]


def _parse_one_of(value: str) -> DateSpan:
    if not value.endswith("]"):
        raise EdtfError(f"{value!r}: a one-of set ends with ']', e.g. [2018-06-01,2018-06-03]")
    inner = value[1:-1]
    if " " in inner:
        raise EdtfError(f"{value!r}: a one-of set has no spaces; write {'[' + inner.replace(' ', '') + ']'!r}")
    texts = inner.split(",")
    members = [_set_member(text, value, i == 0, i == len(texts) - 1) for i, text in enumerate(texts)]
    if len(members) == 1 and ".." not in inner:
        raise EdtfError(f"{value!r}: a one-of set lists two dates or more, or a range with '..'; "
                        f"write {inner!r} for the date alone")
    dates = [d for member in members for d in member if d is not None]
    lo_d = None if members[0][0] is None else min(d.lo for d in dates)
    hi_d = None if members[-1][1] is None else max(d.hi for d in dates)
    unit = min((d.unit for d in dates), key=UNITS.index)
    approximate = any(d.approximate for d in dates)
    return DateSpan(value, lo_d, hi_d, lo_d, hi_d, unit, approximate, True, False, _label_set(members))


def _set_member(text: str, value: str, first: bool, last: bool) -> _Member:
    if ".." not in text:
        if not text:
            raise EdtfError(f"{value!r}: a one-of set has an empty member; write [2018-06-01,2018-06-03]")
        d = _member(text, value, "a member of a set")
        return d, d
    left, _, right = text.partition("..")
    if ".." in right:
        raise EdtfError(f"{value!r}: a one-of range has a single '..'")
    if (not left and not first) or (not right and not last):
        raise EdtfError(f"{value!r}: only the first member of a set may start with '..' and only the last may "
                        "end with it, e.g. [..1760-12-03] or [1760-01,1760-12..]")
    lo = _member(left, value, "a member of a set") if left else None
    hi = _member(right, value, "a member of a set") if right else None
    if lo is None and hi is None:
        raise EdtfError(f"{value!r}: a one-of range needs at least one known end")
    if lo is not None and hi is not None and lo.lo > hi.hi:
        raise EdtfError(f"{value!r}: the range ends before it starts")
    return lo, hi


def _label_set(members: list[_Member]) -> str:
    if len(members) == 1:  # a single range, as [2018-10-15..2018-10-22] has always been written
        lo, hi = members[0]
        if lo and hi:
            return f"between {_label_simple(lo)} and {_label_simple(hi)}"
        return f"on or before {_label_simple(hi)}" if hi else f"on or after {_label_simple(lo)}"  # type: ignore[arg-type]
    parts = []
    for lo, hi in members:
        if lo is hi:
            parts.append(_label_simple(lo))  # type: ignore[arg-type]
        elif lo and hi:
            parts.append(f"{_label_simple(lo)} to {_label_simple(hi)}")
        else:
            parts.append(f"{_label_simple(hi)} or earlier" if hi else f"{_label_simple(lo)} or later")  # type: ignore[arg-type]
    return "one of " + ", ".join(parts[:-1]) + " or " + parts[-1]


def _label_simple(d: SimpleDate) -> str:
    text = d.text.rstrip("?~%")
    if d.unit == "day":
        base = f"{d.lo.day} {MONTHS[d.lo.month - 1]} {d.lo.year}"
        if d.time:
            base += " " + _label_time(d.time)
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


def _label_time(time: str) -> str:
    """``23:20:30``, ``23:20:30 UTC`` or ``23:20:30 UTC+04:30``: local time when no zone is written."""
    clock, zone = time[:8], time[8:]
    return f"{clock} UTC{'' if zone == 'Z' else zone}" if zone else clock


def _label_interval(start: SimpleDate | None, end: SimpleDate | None, left: str, right: str) -> str:
    first = _label_simple(start) if start else ("unknown" if left == "" else "open start")
    if end is None:
        return f"{first} – {'unknown end' if right == '' else 'ongoing'}"
    return f"{first} – {_label_simple(end)}"


def parse_iso_date(text: str) -> date:
    """Parse a ``--param`` style date: ``2018``, ``2018-06`` or ``2018-06-12`` (its first day)."""
    return parse_simple(text).lo
