"""Temporal expressions in news text, turned into EDTF with how each was established.

News writes dates relative to the day it appears ("last month", "on Tuesday", "earlier this
month", "in April last year"). :func:`find_dates` finds the expressions of one text and resolves
each against the article's publication date, as a careful reader does:

* absolute dates are ``stated`` ("in June 2018", "22 May 2018", "in 2016"); a day or month
  without its year takes the publication's year and is ``resolved``;
* relative expressions are ``resolved`` against the publication date: a weekday is the most recent
  such day on or before publication ("earlier Tuesday" in an article of Tuesday 23 October 2018 is
  that day), unless "next" or "last" says otherwise; "last month", "this past week", "in April last
  year" ... become the month, the days or the month they name;
* open starts ("since 2017", "as early as 2017") become ``2017/..``.

When the publication date is itself a range (``[2020-06-10..2020-06-30]``), an expression is resolved
against both ends and becomes the range between the two answers. Every result says in its note which
words it came from and what it was resolved against, so a reviewer can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from timeline.case.dates import MONTHS, DateSpan, last_day, parse_edtf

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTH_NUMBER = {name.lower(): n for n, name in enumerate(MONTHS, start=1)}
_MONTH_NUMBER.update({name[:3].lower(): n for n, name in enumerate(MONTHS, start=1)})
_MONTH_NUMBER["sept"] = 9

_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"


@dataclass(frozen=True)
class TimeExpression:
    """One temporal expression of a text: the words, where they are, and the date they give."""

    text: str
    start: int
    end: int
    edtf: str
    basis: str  # "stated" or "resolved", as in a case's date_basis
    note: str


# Each rule: (pattern, kind). Longer, more specific patterns come first; matches never overlap.
_RULES: list[tuple[re.Pattern, str]] = [(re.compile(p), kind) for p, kind in [
    # Keywords in any case ((?i:...)); month and weekday names only capitalised, so the verb "may" and
    # the noun "march" are never dates.
    (rf"\b(?i:since|as early as)\s+(?:{_MONTH}\s+)?{_YEAR}\b", "open"),
    (rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", "mdy"),
    (rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", "dmy"),
    (rf"\b(?:(?i:in)\s+)?{_MONTH}\s+(?:of\s+)?(?i:last\s+year)\b", "month-last-year"),
    (rf"\b(?:(?i:in)\s+)?{_MONTH},?\s+{_YEAR}\b", "month-year"),
    (rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*(?:1[89]|20)\d\d)", "md"),
    # US numeric dates ("Updated 10/23, 8:02 p.m. ET"): month first, the year taken from publication.
    # Without a year only after "Updated"/"Posted": "9/11" and "1/3 of" are no dates.
    (r"(?<![\d/.])(?P<nmonth>1[0-2]|0?[1-9])/(?P<nday>3[01]|[12]\d|0?[1-9])/(?P<nyear>(?:19|20)\d\d)(?![\d/])",
     "numeric"),
    (r"(?:(?<=[Uu]pdated)|(?<=UPDATED)|(?<=[Pp]osted))\s+(?P<nmonth>1[0-2]|0?[1-9])/(?P<nday>3[01]|[12]\d|0?[1-9])(?![\d/])",
     "numeric"),
    (rf"\b{_DAY}\s+{_MONTH}\b(?!\s*,?\s*(?:1[89]|20)\d\d)", "dm"),
    (rf"\b(?i:last)\s+{_MONTH}\b", "last-month-name"),
    (r"\b(?i:(?:(?:earlier|later)\s+)?this\s+(?P<unit>month|year))\b", "this"),
    (r"\b(?i:(?:just\s+)?(?:this|the)\s+past\s+week)\b", "past-week"),
    (r"\b(?i:earlier\s+this\s+week)\b", "earlier-this-week"),
    (r"\b(?i:this\s+week)\b", "this-week"),
    (r"\b(?P<count>(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}))\s+"
     r"(?P<unit>(?i:day|week|month|year))s?\s+(?i:ago)\b", "ago"),
    (r"\b(?i:last\s+(?P<unit>week|month|year))\b", "last"),
    (r"\b(?i:next\s+(?P<unit>week|month|year))\b", "next"),
    (rf"\b(?:(?P<rel>(?i:last|next|this|earlier|later|on))\s+)?{_WEEKDAY}\b", "weekday"),
    (r"\b(?P<word>(?i:today|yesterday|tomorrow))\b", "day-word"),
    (r"\b(?i:in\s+recent\s+days)\b", "recent-days"),
    (r"\b(?i:over\s+the\s+summer)\b", "summer"),
    (rf"\b(?i:in|during|by|of|from)\s+{_YEAR}\b", "year"),
    (rf"\b(?i:in)\s+{_MONTH}\b(?!\s*,?\s*(?:1[89]|20)\d\d)", "month"),
]]


def find_dates(text: str, published: DateSpan | str) -> list[TimeExpression]:
    """The temporal expressions of ``text`` with their EDTF dates, in the order they appear.

    ``published`` is the article's publication date (a parsed span or EDTF text); relative
    expressions are resolved against it. Expressions that need another anchor ("a few weeks after")
    are left out rather than guessed.
    """
    span = parse_edtf(published) if isinstance(published, str) else published
    lo, hi = _publication_days(span)
    taken: list[tuple[int, int]] = []
    found: list[TimeExpression] = []
    for pattern, kind in _RULES:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            words = match.group(0)
            start += len(words) - len(words.lstrip())
            if any(start < e and s < end for s, e in taken):
                continue
            result = _resolve(kind, match, lo, hi, future=_is_future(text, start))
            if result is None:
                continue
            edtf, basis = result
            parse_edtf(edtf)  # every answer must be valid EDTF
            taken.append((start, end))
            found.append(TimeExpression(text[start:end], start, end, edtf, basis,
                                        _note(text[start:end], basis, span)))
    return sorted(found, key=lambda t: t.start)


#: Words that put the clause before an expression in the future ("will meet on Tuesday", "is set to end by
#: Jan. 1"): a weekday or a day without a year then looks forward from publication.
_FUTURE = re.compile(r"\b(?:will|shall|(?:is|are)\s+(?:set|scheduled|expected|due|going)\s+to|plans?\s+to|"
                     r"upcoming|next)\b|['’]ll\b", re.IGNORECASE)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}


def _is_future(text: str, start: int) -> bool:
    """Whether the clause that leads up to ``start`` speaks of the future."""
    before = text[max(0, start - 120):start]
    clause = re.split(r"[.;!?\n]|,\s+(?:but|and|while|after|before)\b", before)[-1]
    return bool(_FUTURE.search(clause))


def _publication_days(span: DateSpan) -> tuple[date, date]:
    """The first and last day the article may have appeared on."""
    first = span.earliest_begin or span.latest_begin or span.latest_end
    last = span.latest_end or span.latest_begin or first
    return first, last


def _note(words: str, basis: str, span: DateSpan) -> str:
    if basis == "stated":
        return f'"{words}" in the article.'
    if span.earliest_begin is not None and span.earliest_begin == span.latest_end:
        return f'"{words}", resolved against the article of {span.label}.'
    return f'"{words}", resolved against the article\'s publication date ({span.label}).'


def _resolve(kind: str, m: re.Match, lo: date, hi: date, future: bool = False) -> tuple[str, str] | None:
    """(EDTF, basis) for one match, resolved against both ends of the publication date."""
    if kind in ("mdy", "dmy"):
        day = _day(int(m["year"]), _month(m["month"]), int(m["day"]))
        return (day.isoformat(), "stated") if day else None
    if kind == "numeric" and m.groupdict().get("nyear"):
        day = _day(int(m["nyear"]), int(m["nmonth"]), int(m["nday"]))
        return (day.isoformat(), "stated") if day else None
    if kind == "month-year":
        return f"{int(m['year']):04d}-{_month(m['month']):02d}", "stated"
    if kind == "year":
        return m["year"], "stated"
    if kind == "open":
        start = f"{m['year']}-{_month(m['month']):02d}" if m["month"] else m["year"]
        return f"{start}/..", "stated"
    answers = [_relative(kind, m, pub, future) for pub in (lo, hi)]
    if any(a is None for a in answers):
        return None
    first, second = answers
    if first == second:
        return first, "resolved"
    return _between(first, second), "resolved"


def _relative(kind: str, m: re.Match, pub: date, future: bool = False) -> str | None:
    """The EDTF date of a relative expression, for one publication day (looking forward if ``future``)."""
    if kind in ("md", "dm", "numeric"):
        month, day_of = (_month(m["month"]), int(m["day"])) if kind != "numeric" else (int(m["nmonth"]), int(m["nday"]))
        day = _day(pub.year, month, day_of)
        if day and future and day < pub:  # "will end by Jan. 1", written in June: next year's
            day = _day(pub.year + 1, month, day_of)
        return day.isoformat() if day else None
    if kind == "month":
        month = _month(m["month"])
        if future:
            year = pub.year if month >= pub.month else pub.year + 1
        else:
            year = pub.year if month <= pub.month else pub.year - 1  # "in April" looks back from May
        return f"{year:04d}-{month:02d}"
    if kind == "this-week":
        monday = pub - timedelta(days=pub.weekday())
        return _days(monday, monday + timedelta(days=6) if future else pub)
    if kind == "ago":
        return _ago(_COUNTS.get(m["count"].lower()) or int(m["count"]), m["unit"].lower(), pub)
    if kind == "month-last-year":
        return f"{pub.year - 1:04d}-{_month(m['month']):02d}"
    if kind == "last-month-name":
        month = _month(m["month"])
        year = pub.year if month < pub.month else pub.year - 1
        return f"{year:04d}-{month:02d}"
    if kind == "this":
        return f"{pub.year:04d}-{pub.month:02d}" if m["unit"].lower() == "month" else f"{pub.year:04d}"
    if kind in ("last", "next"):
        step = -1 if kind == "last" else 1
        unit = m["unit"].lower()
        if unit == "year":
            return f"{pub.year + step:04d}"
        if unit == "month":
            year, month = divmod(pub.year * 12 + pub.month - 1 + step, 12)
            return f"{year:04d}-{month + 1:02d}"
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=step)
        return _days(monday, monday + timedelta(days=6))
    if kind == "past-week":
        return _days(pub - timedelta(days=7), pub)  # "just this past week": up to the day of writing
    if kind == "earlier-this-week":
        monday = pub - timedelta(days=pub.weekday())
        return _days(monday, pub - timedelta(days=1)) if monday < pub else None
    if kind == "weekday":
        return _weekday(m, pub, future)
    if kind == "day-word":
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m["word"].lower()]
        return (pub + timedelta(days=shift)).isoformat()
    if kind == "recent-days":
        return f"{pub.year:04d}-{pub.month:02d}~"
    if kind == "summer":
        year = pub.year if pub.month >= 6 else pub.year - 1
        return f"{year:04d}-22"
    return None


def _ago(count: int, unit: str, pub: date) -> str:
    """ "two weeks ago": that week; "three months ago": that month; "a year ago": that month, about."""
    if unit == "day":
        return (pub - timedelta(days=count)).isoformat()
    if unit == "week":
        monday = pub - timedelta(days=pub.weekday()) - timedelta(weeks=count)
        return _days(monday, monday + timedelta(days=6))
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(pub.year * 12 + pub.month - 1 - months, 12)
    return f"{year:04d}-{month + 1:02d}" + ("~" if unit == "year" else "")


def _weekday(m: re.Match, pub: date, future: bool = False) -> str:
    """A weekday: the most recent such day on or before publication; "last" strictly before; "next", or a
    clause in the future tense ("will meet on Tuesday"), the next such day after it."""
    target = WEEKDAYS.index(m["weekday"].capitalize())
    rel = (m["rel"] or "").lower()
    if rel == "next" or (future and rel not in ("last", "earlier")):
        ahead = (target - pub.weekday()) % 7 or 7
        return (pub + timedelta(days=ahead)).isoformat()
    back = (pub.weekday() - target) % 7
    if rel == "last" and back == 0:
        back = 7
    return (pub - timedelta(days=back)).isoformat()


def _month(name: str) -> int:
    return _MONTH_NUMBER[name.lower().rstrip(".")]


def _day(year: int, month: int, day: int) -> date | None:
    return date(year, month, day) if 1 <= day <= last_day(year, month) else None


def _days(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"[{first.isoformat()}..{last.isoformat()}]"


def _between(first: str, second: str) -> str:
    """One EDTF range from two answers (each a date, a month, a year or a day range)."""
    lo = first.strip("[]").split("..")[0].rstrip("~")
    hi = second.strip("[]").split("..")[-1].rstrip("~")
    return f"[{lo}..{hi}]"
