"""Temporal expressions resolved against the publication date, as a careful reader of the article would."""

from __future__ import annotations

import pytest

from timeline.case.dates import parse_edtf
from timeline.draft.temporal import find_dates


def only(text: str, published: str):
    found = find_dates(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, published, edtf, basis", [
    # the examples of the sample case, with the curated answers
    ("Last month, at the Amazon Web Services Summit in Korea", "2018-05-22", "2018-04", "resolved"),
    ("was reported earlier Tuesday by The Daily Beast.", "2018-10-23", "2018-10-23", "resolved"),
    ("an ACLU-led coalition said in a letter on Tuesday to Amazon CEO Jeff Bezos", "2018-05-22", "2018-05-22",
     "resolved"),
    ("In April last year, Microsoft president Brad Smith revealed", "[2020-06-10..2020-06-30]", "2019-04", "resolved"),
    ("IBM announced earlier this month it was going to stop", "[2020-06-10..2020-06-30]", "2020-06", "resolved"),
    ("In June 2018, Amazon Web Services sales representatives met", "2018-10-23", "2018-06", "stated"),
    ("The department has used Rekognition since 2017.", "2020-06-15", "2017/..", "stated"),
    ("In 2016, researchers at Georgetown University found", "2018-10-23", "2016", "stated"),
    ("just this past week during an interview with Wired", "2018-10-23", "[2018-10-16..2018-10-23]", "resolved"),
    # the other forms news uses
    ("the report of 22 May 2018", "2018-10-23", "2018-05-22", "stated"),
    ("on May 22, 2018, the ACLU", "2018-10-23", "2018-05-22", "stated"),
    ("on May 22 the ACLU", "2018-10-23", "2018-05-22", "resolved"),
    ("last October", "2018-05-22", "2017-10", "resolved"),
    ("last October", "2018-11-02", "2018-10", "resolved"),
    ("next month", "2018-12-05", "2019-01", "resolved"),
    ("last year", "2018-01-05", "2017", "resolved"),
    ("last Tuesday", "2018-10-23", "2018-10-16", "resolved"),  # a Tuesday: "last" is the one before
    ("next Tuesday", "2018-10-23", "2018-10-30", "resolved"),
    ("yesterday", "2018-10-23", "2018-10-22", "resolved"),
    ("earlier this week", "2018-10-25", "[2018-10-22..2018-10-24]", "resolved"),
    ("Amazon met with officials over the summer", "2018-10-23", "2018-22", "resolved"),
    ("Updated 10/23, 8:02 p.m. ET:", "2018-10-23", "2018-10-23", "resolved"),  # Mashable's update stamp
    ("filed on 6/14/2018", "2018-10-23", "2018-06-14", "stated"),
    # the future tense looks forward from publication (Friday 25 March 2022; June 2023)
    ("The council will meet on Tuesday to vote.", "2022-03-25", "2022-03-29", "resolved"),
    ("The council met on Tuesday.", "2022-03-25", "2022-03-22", "resolved"),
    ("The cuts will remain in place until Jan. 1, officials said.", "2023-06-10", "2024-01-01", "resolved"),
    ("She said she will decide in April.", "2022-06-01", "2023-04", "resolved"),
    ("the agency met in April", "2022-06-01", "2022-04", "resolved"),
    # counted back from publication (Friday 12 March 2021)
    ("He resigned two weeks ago.", "2021-03-12", "[2021-02-22..2021-02-28]", "resolved"),
    ("Three days ago it rained.", "2021-03-12", "2021-03-09", "resolved"),
    ("She joined a year ago.", "2021-03-12", "2020-03~", "resolved"),
    ("This week the board met.", "2021-03-12", "[2021-03-08..2021-03-12]", "resolved"),
])
def test_an_expression_gives_the_curated_date(text, published, edtf, basis) -> None:
    found = only(text, published)
    assert (found.edtf, found.basis) == (edtf, basis)
    assert text[found.start:found.end] == found.text
    parse_edtf(found.edtf)


def test_a_weekday_in_an_article_of_unknown_day_is_a_range() -> None:
    # news.com.au's article is dated only to between 10 and 30 June 2020.
    found = only("The company said on Tuesday", "[2020-06-10..2020-06-30]")
    assert found.edtf == "[2020-06-09..2020-06-30]"
    assert "publication date (between 10 June 2020 and 30 June 2020)" in found.note


def test_the_note_names_the_words_and_what_they_were_resolved_against() -> None:
    found = only("Last month, at the Summit", "2018-05-22")
    assert found.note == '"Last month", resolved against the article of 22 May 2018.'
    assert only("In 2016, researchers", "2018-10-23").note == '"In 2016" in the article.'


@pytest.mark.parametrize("text", [
    "Orlando agencies may also be joining the growing number",  # the verb "may" is not a month
    "a march through the city",
    "Amazon would go on to court ICE just weeks later.",  # needs another event as its anchor: left out
    "a 93.53% match",
    "a 24/7 service and a ratio of 3/40",
])
def test_words_that_are_not_dates_give_nothing(text) -> None:
    assert find_dates(text, "2018-10-23") == []


def test_several_expressions_in_order_without_overlap() -> None:
    text = ("Google announced in 2018 it wouldn't pursue facial recognition technology, and CEO Sundar Pichai "
            "followed up on that last year by calling for a temporary ban.")
    found = find_dates(text, "[2020-06-10..2020-06-30]")
    assert [(f.text, f.edtf) for f in found] == [("in 2018", "2018"), ("last year", "2019")]


@pytest.mark.parametrize("text", ["the 9/11 attacks", "1/3 of customers", "a 24/7 hotline"])
def test_a_fraction_or_a_name_with_a_slash_is_no_date(text) -> None:
    assert find_dates(text, "2023-05-01") == []

