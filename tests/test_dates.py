"""EDTF parsing in timeline.case.dates: bounds, precision, qualifiers, labels, errors."""

from __future__ import annotations

from datetime import date

import pytest
from casegen import UNIT_OF, edtf_cases, written
from hypothesis import example, given, settings
from hypothesis import strategies as st

from timeline.case.dates import UNITS, DateSpan, EdtfError, parse_edtf

D = date


def bounds(span: DateSpan) -> tuple[date | None, date | None, date | None, date | None]:
    return span.earliest_begin, span.latest_begin, span.earliest_end, span.latest_end


# ------------------------------------------------------------ simple dates


@pytest.mark.parametrize(
    ("text", "lo", "hi", "unit"),
    [
        ("2018", D(2018, 1, 1), D(2018, 12, 31), "year"),
        ("2018-06", D(2018, 6, 1), D(2018, 6, 30), "month"),
        ("2018-02", D(2018, 2, 1), D(2018, 2, 28), "month"),
        ("2020-02", D(2020, 2, 1), D(2020, 2, 29), "month"),  # leap year
        ("2018-06-12", D(2018, 6, 12), D(2018, 6, 12), "day"),
        ("2020-02-29", D(2020, 2, 29), D(2020, 2, 29), "day"),
        ("2018-21", D(2018, 3, 1), D(2018, 5, 31), "season"),  # spring
        ("2018-22", D(2018, 6, 1), D(2018, 8, 31), "season"),  # summer: June..August
        ("2018-23", D(2018, 9, 1), D(2018, 11, 30), "season"),  # autumn
        ("2018-24", D(2018, 12, 1), D(2019, 2, 28), "season"),  # winter runs into the next year
        ("2019-24", D(2019, 12, 1), D(2020, 2, 29), "season"),  # ... whose February may be a leap one
    ],
)
def test_simple_date_bounds(text, lo, hi, unit):
    span = parse_edtf(text)
    assert bounds(span) == (lo, hi, lo, hi)
    assert span.unit == unit
    assert span.edtf == text
    assert not span.is_interval
    assert not span.approximate and not span.uncertain


@pytest.mark.parametrize(
    ("text", "approximate", "uncertain", "label"),
    [
        ("2018~", True, False, "about 2018"),
        ("2019?", False, True, "2019?"),
        ("2018%", True, True, "about 2018?"),
        ("2018-06~", True, False, "about June 2018"),
        ("2018-06-12?", False, True, "12 June 2018?"),
    ],
)
def test_qualifiers_set_flags_and_labels_but_keep_bounds(text, approximate, uncertain, label):
    span = parse_edtf(text)
    plain = parse_edtf(text[:-1])
    assert (span.approximate, span.uncertain) == (approximate, uncertain)
    assert span.label == label
    assert bounds(span) == bounds(plain)  # qualifiers do not widen the bounds
    assert span.unit == plain.unit


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2018", "2018"),
        ("2018-06", "June 2018"),
        ("2018-06-12", "12 June 2018"),
        ("2018-22", "summer 2018"),
        ("2020-06-10/2021-06", "10 June 2020 – June 2021"),
        ("2017/..", "2017 – ongoing"),
        ("2017/", "2017 – unknown end"),
        ("[2018-10-15..2018-10-22]", "between 15 October 2018 and 22 October 2018"),
        ("[..2018-05-22]", "on or before 22 May 2018"),
    ],
)
def test_labels(text, label):
    assert parse_edtf(text).label == label


# ------------------------------------------------------- intervals, one-of


def test_closed_interval_bounds_come_from_each_end():
    span = parse_edtf("2020-06-10/2021-06")
    assert span.is_interval
    assert bounds(span) == (D(2020, 6, 10), D(2020, 6, 10), D(2021, 6, 1), D(2021, 6, 30))


@pytest.mark.parametrize(("text", "label_end"), [("2017/..", "ongoing"), ("2017/", "unknown end")])
def test_open_and_unknown_interval_ends_leave_end_bounds_unset(text, label_end):
    span = parse_edtf(text)
    assert span.is_interval
    assert span.earliest_begin == D(2017, 1, 1)
    assert span.latest_begin == D(2017, 12, 31)
    assert span.earliest_end is None
    assert span.latest_end is None
    assert span.label.endswith(label_end)


@pytest.mark.parametrize("text", ["../2018", "/2018"])
def test_open_and_unknown_interval_starts_leave_begin_bounds_unset(text):
    span = parse_edtf(text)
    assert span.earliest_begin is None and span.latest_begin is None
    assert (span.earliest_end, span.latest_end) == (D(2018, 1, 1), D(2018, 12, 31))


def test_one_of_range_is_a_single_uncertain_day():
    span = parse_edtf("[2018-10-15..2018-10-22]")
    assert not span.is_interval
    assert span.uncertain
    assert bounds(span) == (D(2018, 10, 15), D(2018, 10, 22), D(2018, 10, 15), D(2018, 10, 22))
    assert span.unit == "day"


def test_one_of_range_with_only_an_upper_end_has_no_earliest_bounds():
    span = parse_edtf("[..2018-05-22]")
    assert span.earliest_begin is None
    assert span.earliest_end is None
    assert span.latest_begin == D(2018, 5, 22)
    assert span.latest_end == D(2018, 5, 22)
    assert span.uncertain


def test_one_of_range_keeps_qualifier_flags():
    span = parse_edtf("[2018-10-15~..2018-10-22]")
    assert "about" in span.label
    assert span.approximate


@pytest.mark.parametrize(
    ("text", "lo", "hi", "unit", "label"),
    [
        ("[2018-06-01,2018-06-03]", D(2018, 6, 1), D(2018, 6, 3), "day", "one of 1 June 2018 or 3 June 2018"),
        ("[2018-06-03,2018-06-01]", D(2018, 6, 1), D(2018, 6, 3), "day", "one of 3 June 2018 or 1 June 2018"),
        ("[1667,1668,1670..1672]", D(1667, 1, 1), D(1672, 12, 31), "year", "one of 1667, 1668 or 1670 to 1672"),
        ("[1667,1760-12]", D(1667, 1, 1), D(1760, 12, 31), "month", "one of 1667 or December 1760"),
        ("[2018-22,2018-06-12~]", D(2018, 6, 1), D(2018, 8, 31), "day", "one of summer 2018 or about 12 June 2018"),
        ("[1760-01,1760-02,1760-12..]", D(1760, 1, 1), None, "month",
         "one of January 1760, February 1760 or December 1760 or later"),
        ("[..1760-12-03,1770]", None, D(1770, 12, 31), "day", "one of 3 December 1760 or earlier or 1770"),
    ],
)
def test_one_of_list_is_one_date_between_its_earliest_and_latest_member(text, lo, hi, unit, label):
    """"Either the 1st or the 3rd": one day, not known which, so every bound runs from the first day of the earliest
    member to the last day of the latest (the days between are not excluded: bounds are one window)."""
    span = parse_edtf(text)
    assert bounds(span) == (lo, hi, lo, hi)
    assert (span.unit, span.label, span.edtf) == (unit, label, text)
    assert span.uncertain and not span.is_interval
    assert span.approximate == ("~" in text)
    day = D(2018, 6, 2)  # between the members of the first list: a window on it may hold the date
    assert span.overlaps(day, day) == ((lo is None or lo <= day) and (hi is None or day <= hi))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[2018-06-01, 2018-06-03]", ["no spaces", "'[2018-06-01,2018-06-03]'"]),
        ("[2018-06-01]", ["two dates or more", "'2018-06-01'"]),
        ("[2018-06-01,]", ["empty member"]),
        ("[2018,..2019]", ["only the first member", "start with '..'"]),
        ("[2018..,2019]", ["only the last", "end with it"]),
        ("[2018,2019..2018]", ["ends before it starts"]),
        ("[2018,2019", ["ends with ']'"]),
        ("[2018-06-01T10:00:00,2018-06-03]", ["date-time", "[2018-06-01,2018-06-03]"]),
        ("[2018,2018-13]", ["month 13"]),
    ],
)
def test_bad_one_of_lists_say_what_to_write(text, fragments):
    with pytest.raises(EdtfError) as info:
        parse_edtf(text)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


# ------------------------------------------------------------ date-times


@pytest.mark.parametrize(
    ("text", "day", "label"),
    [
        ("1985-04-12T23:20:30", D(1985, 4, 12), "12 April 1985 23:20:30"),
        ("1985-04-12T23:20:30Z", D(1985, 4, 12), "12 April 1985 23:20:30 UTC"),
        # 03:20:30 on 13 April in UTC: the date is the one written, not the UTC one
        ("1985-04-12T23:20:30-04", D(1985, 4, 12), "12 April 1985 23:20:30 UTC-04"),
        ("1985-04-12T23:20:30+04:30", D(1985, 4, 12), "12 April 1985 23:20:30 UTC+04:30"),
        ("2004-01-01T01:00:00+05:00", D(2004, 1, 1), "1 January 2004 01:00:00 UTC+05:00"),  # 31 December in UTC
        ("2004-01-01T00:00:00-00:30", D(2004, 1, 1), "1 January 2004 00:00:00 UTC-00:30"),
        ("2004-01-01T24:00:00", D(2004, 1, 1), "1 January 2004 24:00:00"),  # the end of the day written
        ("2020-02-29T12:00:00+14:00", D(2020, 2, 29), "29 February 2020 12:00:00 UTC+14:00"),
    ],
)
def test_a_date_time_is_the_calendar_date_as_written(text, day, label):
    span = parse_edtf(text)
    assert bounds(span) == (day, day, day, day)
    assert (span.unit, span.label, span.edtf) == ("day", label, text)
    assert not (span.approximate or span.uncertain or span.is_interval)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1985-04-12T24:00:01", "not a time of day"),
        ("1985-04-12T23:60:00", "not a time of day"),
        ("1985-04-12T23:20:60", "not a time of day"),
        ("1985-04-12T23:20:30+00:00", "write a zero offset as Z"),
        ("1985-04-12T23:20:30-00", "write a zero offset as Z"),
        ("1985-04-12T23:20:30+14:30", "not a time zone offset"),
        ("1985-04-12T23:20:30+14", "write 14 hours as 14:00"),
        ("1985-04-12T23:20:30+04:60", "not a time zone offset"),
        ("1985-04-12T23:20:30?", "no qualifier"),
        ("1985-04-12T23:20:30.5", "no fraction"),
        ("1985-04-12T23:20", "hh:mm:ss"),
        ("1985-04T23:20:30", "YYYY-MM-DDT"),
        ("1985-04-12t23:20:30", "not an EDTF date"),
        ("2019-02-29T10:00:00", "has no day 29"),
        ("1985-04-12T23:20:30/1986", "write '1985-04-12/1986'"),
        ("../1985-04-12T23:20:30Z", "write '../1985-04-12'"),
    ],
)
def test_bad_date_times_are_edtf_errors(text, fragment):
    with pytest.raises(EdtfError) as info:
        parse_edtf(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------ out of scope


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("XXXX", ["unknown year", "19XX"]),
        ("1XXX", ["at most two unspecified year digits", "[1000..1999]"]),
        ("0000", ["year 0000", "0001 to 9999"]),
        ("-0999", ["year 0000", "0001 to 9999"]),
        ("2001-34", ["sub-year groupings", "2001-04/2001-06"]),
        ("1950S2", ["significant digits", "[1900..1999]", "1950~"]),
        ("156X-12-25", ["[1560-12-25,1561-12-25,…,1569-12-25]"]),
        ("1560-XX-25", ["[1560-01-25,1560-02-25,…,1560-12-25]"]),
        ("1984-1X", ["1984-XX", "[1984-10..1984-12]"]),
        ("2004?-06-11", ["qualify the whole date", "2004-06-11?"]),
        ("?2004-06-~11", ["qualify the whole date", "2004-06-11%"]),
        ("1984?~", ["write 1984%"]),
        ("{1960,1961-12}", ["'all of' sets", "1960/1961-12"]),
    ],
)
def test_features_out_of_scope_say_what_to_write_instead(text, fragments):
    with pytest.raises(EdtfError) as info:
        parse_edtf(text)
    message = str(info.value)
    assert message.startswith(repr(text)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_xxxx_is_refused_for_its_unknown_year_not_as_year_0000():
    """It used to say "year 0000 is not supported": XXXX is no year 0000, it is any year."""
    with pytest.raises(EdtfError) as info:
        parse_edtf("XXXX")
    assert "0000" not in str(info.value)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("2018-13", ["month 13", "does not exist"]),
        ("2018-00", ["month 00", "does not exist"]),
        ("2018-02-30", ["February 2018", "no day 30"]),
        ("2019-02-29", ["February 2019", "no day 29"]),
        ("2018-06-31", ["June 2018", "no day 31"]),
        ("2019/2018", ["ends before it starts"]),
        ("2018-06-12/2018-06-11", ["ends before it starts"]),
        ("[2018-10-22..2018-10-15]", ["ends before it starts"]),
        (" 2018", ["spaces"]),
        ("2018 ", ["spaces"]),
        ("", ["empty"]),
        ("2018-6", ["not an EDTF date"]),
        ("18", ["not an EDTF date"]),
        ("2018-06-12-01", ["not an EDTF date"]),
        ("2018/2019/2020", ["one '/'"]),
        ("/", ["at least one known end"]),
        ("2018-22-01", ["season cannot have a day"]),
        ("0000", ["0000"]),
    ],
)
def test_invalid_dates_raise_edtf_error_naming_the_problem(text, fragments):
    with pytest.raises(EdtfError) as info:
        parse_edtf(text)
    message = str(info.value)
    assert repr(text) in message  # the offending value is quoted back
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("text", ["2018\n/2019", "2018-06\n/..", "[2018-06\n..2019]", "[..2019\n]"])
def test_a_newline_inside_an_interval_or_range_is_an_edtf_error(text):
    """The date pattern ended in "$", which matches before a final newline: "2018\n/2019" parsed (found by fuzzing)."""
    with pytest.raises(EdtfError, match="not an EDTF date"):
        parse_edtf(text)


def test_edtf_error_is_a_value_error():
    assert issubclass(EdtfError, ValueError)


def test_winter_9999_is_an_edtf_error_not_a_crash():
    with pytest.raises(EdtfError):
        parse_edtf("9999-24")


# -------------------------------------------------------- sort and overlap


def test_sort_date_is_the_earliest_known_bound():
    assert parse_edtf("2018").sort_date == D(2018, 1, 1)
    assert parse_edtf("2018-24").sort_date == D(2018, 12, 1)
    assert parse_edtf("2017/..").sort_date == D(2017, 1, 1)
    assert parse_edtf("[..2018-05-22]").sort_date == D(2018, 5, 22)
    assert parse_edtf("/2018-06").sort_date == D(2018, 6, 1)


def test_sort_date_orders_spans_chronologically():
    texts = ["2018-10-23", "[..2018-05-22]", "2015", "2018-06", "2017/..", "2020-06-10/2021-06"]
    ordered = sorted(texts, key=lambda t: parse_edtf(t).sort_date)
    assert ordered == ["2015", "2017/..", "[..2018-05-22]", "2018-06", "2018-10-23", "2020-06-10/2021-06"]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("2018-06", D(2018, 6, 15), D(2018, 7, 1), True),
        ("2018-06", D(2018, 7, 1), None, False),
        ("2018-06", None, D(2018, 5, 31), False),
        ("2018-06", None, D(2018, 6, 1), True),  # window bounds are inclusive
        ("2018-06", D(2018, 6, 30), None, True),
        ("2018-06", None, None, True),
        ("2017/..", D(2030, 1, 1), D(2030, 12, 31), True),  # ongoing
        ("2017/..", None, D(2016, 12, 31), False),
        ("[..2018-05-22]", D(1990, 1, 1), D(1990, 12, 31), True),  # start unknown: could overlap
        ("[..2018-05-22]", D(2018, 5, 23), None, False),
        ("2020-06-10/2021-06", D(2021, 6, 30), D(2021, 12, 31), True),
        ("2020-06-10/2021-06", D(2021, 7, 1), D(2021, 12, 31), False),
    ],
)
def test_overlaps(text, start, end, expected):
    assert parse_edtf(text).overlaps(start, end) is expected


# --------------------------------------------------------------- properties

PRECISIONS = ("day", "month", "season", "year")


# Seasons need year >= 2 (Jan 0001 would be winter 0000) and <= 9998 (see the 9999-24 bug above).
dates = st.dates(min_value=D(2, 1, 1), max_value=D(9998, 12, 31))
precisions = st.sampled_from(PRECISIONS)
qualifiers = st.sampled_from(["", "?", "~", "%"])


def assert_bounds_ordered(span: DateSpan) -> None:
    eb, lb, ee, le = bounds(span)
    if eb is not None and lb is not None:
        assert eb <= lb
    if ee is not None and le is not None:
        assert ee <= le
    if eb is not None and le is not None:
        assert eb <= le


@settings(max_examples=300, deadline=None)
@given(d=dates, precision=precisions, qualifier=qualifiers)
@example(d=D(2020, 2, 29), precision="day", qualifier="")
@example(d=D(2019, 1, 15), precision="season", qualifier="~")
def test_property_simple_date(d, precision, qualifier):
    text = written(d, precision) + qualifier
    span = parse_edtf(text)
    assert span.edtf == text
    assert span.unit == precision
    assert_bounds_ordered(span)
    # a single date: begin and end bounds are the same period, and it contains the date written
    assert (span.earliest_begin, span.latest_begin) == (span.earliest_end, span.latest_end)
    assert span.earliest_begin <= d <= span.latest_end
    assert span.approximate == (qualifier in "~%" and qualifier != "")
    assert span.uncertain == (qualifier in "?%" and qualifier != "")
    if precision == "day":
        assert span.earliest_begin == span.latest_end == d
    assert span.sort_date == span.earliest_begin
    assert span.overlaps(d, d)


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates, precision=precisions)
def test_property_interval_same_precision(a, b, precision):
    a, b = sorted((a, b))
    text = f"{written(a, precision)}/{written(b, precision)}"
    span = parse_edtf(text)
    assert span.edtf == text
    assert span.is_interval
    assert span.unit == precision
    assert_bounds_ordered(span)
    assert span.earliest_begin <= span.earliest_end  # begin bounds <= end bounds
    assert span.latest_begin <= span.latest_end
    assert span.earliest_begin <= a <= span.latest_begin
    assert span.earliest_end <= b <= span.latest_end


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates, pa=precisions, pb=precisions, qa=qualifiers, qb=qualifiers)
def test_property_interval_mixed_precision(a, b, pa, pb, qa, qb):
    a, b = sorted((a, b))
    text = f"{written(a, pa)}{qa}/{written(b, pb)}{qb}"
    span = parse_edtf(text)
    assert span.edtf == text
    assert span.unit in (pa, pb)
    assert span.unit == max(pa, pb, key=UNITS.index)  # the coarser end
    assert_bounds_ordered(span)
    assert span.earliest_begin <= a <= span.latest_begin
    assert span.earliest_end <= b <= span.latest_end
    assert span.approximate == bool({qa, qb} & {"~", "%"})
    assert span.uncertain == bool({qa, qb} & {"?", "%"})


@settings(max_examples=200, deadline=None)
@given(d=dates, precision=precisions, form=st.sampled_from(["{}/..", "{}/", "../{}", "/{}"]))
def test_property_half_open_intervals(d, precision, form):
    text = form.format(written(d, precision))
    span = parse_edtf(text)
    assert span.edtf == text
    assert span.unit == precision
    assert_bounds_ordered(span)
    if text.startswith(("..", "/")):
        assert span.earliest_begin is None and span.latest_begin is None
        assert span.earliest_end <= d <= span.latest_end
    else:
        assert span.earliest_end is None and span.latest_end is None
        assert span.earliest_begin <= d <= span.latest_begin
    assert span.overlaps(d, d)


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates, precision=precisions, shape=st.sampled_from(["both", "upper", "lower"]))
def test_property_one_of_ranges(a, b, precision, shape):
    a, b = sorted((a, b))
    lo, hi = written(a, precision), written(b, precision)
    text = {"both": f"[{lo}..{hi}]", "upper": f"[..{hi}]", "lower": f"[{lo}..]"}[shape]
    span = parse_edtf(text)
    assert span.edtf == text
    assert span.unit == precision
    assert span.uncertain
    assert_bounds_ordered(span)
    if shape != "lower":
        assert b <= span.latest_end
    if shape != "upper":
        assert span.earliest_begin <= a


@settings(max_examples=200, deadline=None)
@given(days=st.lists(dates, min_size=2, max_size=5), precision=precisions)
def test_property_one_of_lists_span_their_members(days, precision):
    text = "[" + ",".join(written(d, precision) for d in days) + "]"
    span = parse_edtf(text)
    members = [parse_edtf(written(d, precision)) for d in days]
    assert span.earliest_begin == span.earliest_end == min(m.earliest_begin for m in members)
    assert span.latest_begin == span.latest_end == max(m.latest_end for m in members)
    assert span.unit == precision and span.uncertain
    assert all(span.overlaps(d, d) for d in days)


@settings(max_examples=200, deadline=None)
@given(year=st.integers(1, 9998), month=st.integers(0, 99).filter(lambda m: not (1 <= m <= 12 or 21 <= m <= 41)))
def test_property_impossible_months_are_edtf_errors(year, month):
    with pytest.raises(EdtfError, match="does not exist"):
        parse_edtf(f"{year:04d}-{month:02d}")


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 1)), day=st.integers(29, 99))
def test_property_impossible_days_are_edtf_errors(d, day):
    text = f"{d.year:04d}-{d.month:02d}-{day:02d}"
    try:
        D(d.year, d.month, day)
    except ValueError:
        with pytest.raises(EdtfError, match="has no day"):
            parse_edtf(text)
    else:
        assert parse_edtf(text).earliest_begin == D(d.year, d.month, day)


_YEAR = st.from_regex(r"[0-9X]{4}", fullmatch=True).filter(lambda y: not y.startswith("9999"))
_PART = st.from_regex(r"[0-9X]{1,3}", fullmatch=True)
_SIMPLE = st.builds(
    lambda y, parts, q: "-".join([y, *parts]) + q,
    _YEAR, st.lists(_PART, max_size=3), st.sampled_from(["", "?", "~", "%", "?~"]),
)
_EDTF_LIKE = st.one_of(
    _SIMPLE,
    st.builds(lambda a, b: f"{a}/{b}", st.one_of(_SIMPLE, st.sampled_from(["", ".."])),
              st.one_of(_SIMPLE, st.sampled_from(["", ".."]))),
    st.builds(lambda a, b: f"[{a}..{b}]", st.one_of(_SIMPLE, st.just("")), st.one_of(_SIMPLE, st.just(""))),
    st.text(max_size=20),
)


@settings(max_examples=500, deadline=None)
@given(text=_EDTF_LIKE)
def test_property_any_text_parses_or_raises_edtf_error(text):
    """Bad input never escapes as another exception type (the CLI would call that an internal error)."""
    try:
        span = parse_edtf(text)
    except EdtfError as exc:
        assert str(exc)
        return
    assert span.edtf == text
    assert_bounds_ordered(span)
    assert span.unit in UNITS
    assert span.label


@pytest.mark.parametrize("text", ["2018-06-15/2018-06", "2018-06/2018-06-15", "2018/2018-06"])
def test_interval_end_bounds_never_precede_begin_bounds(text):
    span = parse_edtf(text)
    assert span.earliest_begin <= span.earliest_end
    assert span.latest_begin <= span.latest_end


# ------------------------------------------- properties over every EDTF form
# tests/casegen.py draws valid EDTF of every supported form: day, month, season, year, decade (201X), century (20XX)
# and the unspecified-digit forms 2018-XX, 2018-06-XX, 2018-XX-XX; each with a qualifier or none; alone, as either end
# of an interval (closed, open "..", unknown "") or of a one-of range, each end with its own precision and qualifier.

CANONICAL = ("day", "month", "season", "year", "decade", "century")  # a precision written the one way
NAMED = {"day-xx": "month", "month-xx": "year", "month-day-xx": "year"}  # another way of writing a unit


def _flags(qualifiers) -> tuple[bool, bool]:
    return any(q in ("~", "%") for q in qualifiers), any(q in ("?", "%") for q in qualifiers)


def _qualifier(span: DateSpan) -> str:
    return {(True, True): "%", (True, False): "~", (False, True): "?", (False, False): ""}[
        (span.approximate, span.uncertain)]


@settings(max_examples=500, deadline=None)
@given(case=edtf_cases())
def test_property_every_form_round_trips_with_ordered_bounds_and_its_precision(case):
    """EDTF -> bounds for every form: the written form is kept, earliest <= latest for every pair of bounds that
    must be ordered, the written dates lie inside their bounds, the unit is the written precision (an interval's
    coarser end, a one-of range's finer end) and the qualifier flags are those written."""
    span = parse_edtf(case.text)
    assert span.edtf == case.text
    eb, lb, ee, le = bounds(span)
    for lo, hi in ((eb, lb), (ee, le), (eb, le), (eb, ee), (lb, le)):
        if lo is not None and hi is not None:
            assert lo <= hi, (case.text, bounds(span))
    units = [UNIT_OF[p] for p in case.precisions if p]
    approximate, uncertain = _flags(case.qualifiers)
    assert span.approximate == approximate
    if case.shape == "simple":
        [d] = case.dates
        assert eb == ee and lb == le
        assert eb <= d <= le
        assert span.unit == units[0]
        assert span.uncertain == uncertain and not span.is_interval
    elif case.shape == "interval":
        a, b = case.dates
        pa, pb = case.precisions
        assert span.is_interval and span.uncertain == uncertain
        assert span.unit == max(units, key=UNITS.index)
        assert (eb is None) == (not pa) and (le is None) == (not pb)
        if pa:
            assert eb <= a <= lb
        if pb:
            assert ee <= b <= le
    else:
        a, b = case.dates
        pa, pb = case.precisions
        assert span.uncertain and not span.is_interval
        assert span.unit == min(units, key=UNITS.index)
        assert (eb, ee) == (eb, eb) and (lb, le) == (lb, lb)  # one day somewhere in [earliest, latest]
        assert (eb is None) == (not pa) and (le is None) == (not pb)
        if pa:
            assert eb <= a
        if pb:
            assert b <= le
    assert span.label.strip() and span.sort_date in (eb, lb, ee, le)


@settings(max_examples=300, deadline=None)
@given(case=edtf_cases(shapes=("simple",)))
def test_property_simple_date_written_form_is_recovered_from_its_bounds(case):
    """Round trip text -> bounds -> text: the bounds are exactly one period of the date's unit, so writing either
    bound at that unit gives the date back (the canonical spelling for 2018-XX, 2018-06-XX and 2018-XX-XX)."""
    span = parse_edtf(case.text)
    [precision] = case.precisions
    back = written(span.earliest_begin, span.unit) + _qualifier(span)
    assert written(span.latest_end, span.unit) + _qualifier(span) == back
    if precision in CANONICAL:
        assert back == case.text
    else:
        assert span.unit == NAMED[precision]
        again = parse_edtf(back)
        assert (bounds(again), again.unit, again.approximate, again.uncertain) == (
            bounds(span), span.unit, span.approximate, span.uncertain)


@settings(max_examples=300, deadline=None)
@given(case=edtf_cases(shapes=("interval", "one-of"), precisions=CANONICAL, qualifiers=("",), same_precision=True,
                       closed=True))
def test_property_same_precision_ranges_are_recovered_from_their_bounds(case):
    """For a closed interval or a two-ended one-of range whose ends share a canonical precision and carry no
    qualifier, the bounds and the unit give the written form back."""
    span = parse_edtf(case.text)
    if case.shape == "interval":
        back = f"{written(span.earliest_begin, span.unit)}/{written(span.latest_end, span.unit)}"
        assert written(span.latest_begin, span.unit) == written(span.earliest_begin, span.unit)
        assert written(span.earliest_end, span.unit) == written(span.latest_end, span.unit)
    else:
        back = f"[{written(span.earliest_begin, span.unit)}..{written(span.latest_end, span.unit)}]"
    assert back == case.text


def test_last_day_of_a_month_is_the_gregorian_calendars() -> None:
    import calendar

    from timeline.case.dates import MONTHS, last_day

    assert all(last_day(y, m) == calendar.monthrange(y, m)[1] for y in range(1, 10000) for m in range(1, 13))
    assert MONTHS == [calendar.month_name[m] for m in range(1, 13)]  # in the C locale Python starts in
