"""A saved web page read into an article (timeline.case.webpage): main text without furniture, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeline.case import articles
from timeline.case.webpage import extract_article
from timeline.errors import TimelineError

ROOT = Path(__file__).resolve().parent.parent
PAGE = Path(__file__).parent / "fixtures" / "mashable-saved-page.html"
ARTICLE = ROOT / "sources" / "rekognition" / "articles" / "mashable-2018-10-23.md"

FILLER = (
    "<p>The city council voted on Tuesday to approve the new budget for the coming year, after a debate "
    "that lasted well into the night and drew a large crowd of residents to the town hall.</p>"
    "<p>Supporters said the plan would pay for road repairs and a new library branch, while opponents "
    "argued that the tax increase it requires would fall hardest on families with modest incomes.</p>"
    "<p>The mayor is expected to sign the budget next week, and the first projects could begin in spring, "
    "according to officials who spoke at the meeting and answered questions from the public.</p>"
)


def page(head: str = "", body: str = FILLER, html_attrs: str = "") -> str:
    return (f"<!DOCTYPE html><html{html_attrs}><head><meta charset='utf-8'><title>Budget approved</title>{head}"
            f"</head><body><article>{body}</article></body></html>")


@pytest.fixture(scope="module")
def saved() -> object:
    return extract_article(PAGE.read_bytes())


def sample_text() -> str:
    split = articles.split(ARTICLE.read_text(encoding="utf-8"))
    assert split is not None
    return split[1]


def test_the_saved_page_gives_the_sample_articles_text(saved):
    # One paragraph a line in the case's article; one blank line between paragraphs in the extraction.
    assert saved.text.split("\n\n") == sample_text().rstrip("\n").split("\n")


def test_the_quotes_of_the_case_are_in_the_extracted_text(saved):
    assert "Congress has never authorized such use" in saved.text
    assert "“I’d let them in if it was me. I like 'em. I want all of them in.”" in saved.text


@pytest.mark.parametrize("furniture", [
    "Accept All Cookies", "We and our partners use cookies",          # cookie banner
    "Social Good", "Cybersecurity",                                   # site navigation
    "standing desks", "noise-cancelling headphones", "Advertisement",  # advertisements
    "Share on Facebook", "Share via Email",                           # share buttons
    "Related Stories", "Prime Day", "Project Maven", "set up a VPN",  # related stories
    "newsletter", "Subscribe", "Your email address",                  # newsletter sign-up
    "All Rights Reserved", "About Mashable", "Privacy Policy",        # footer
    "Credit: Bloomberg", "Topics",                                    # caption, topic tags
    "dataLayer",                                                      # scripts
])
def test_no_page_furniture_leaks_into_the_text(saved, furniture):
    assert furniture not in saved.text


def test_the_metadata_comes_from_json_ld(saved):
    assert saved.title == "Amazon pitched facial recognition tech to ICE after employees objected"
    assert saved.publisher == "Mashable"
    assert (saved.published, saved.published_from) == ("2018-10-23", "JSON-LD datePublished")
    assert saved.url == "https://mashable.com/article/amazon-facial-recognition-ice-rekognition/"
    assert saved.language == "en-US"  # <html lang> first
    assert saved.authors == ("Jane Doe",)


def test_removed_names_each_kind_of_furniture_the_page_has(saved):
    assert saved.removed == (
        "a cookie notice", "the page header", "site navigation (14 links)", "2 advertisements", "share buttons",
        "3 related-article links", "a newsletter sign-up", "the footer")


def test_a_str_page_reads_as_its_bytes_do(saved):
    assert extract_article(PAGE.read_text(encoding="utf-8")) == saved


def test_without_json_ld_the_metadata_comes_from_open_graph():
    head = ("<meta property='og:title' content='Council approves budget'>"
            "<meta property='og:site_name' content='The Town Crier'>"
            "<meta property='og:url' content='https://crier.example/budget'>"
            "<meta property='og:locale' content='en_GB'>"
            "<meta property='article:published_time' content='2021-03-02T23:30:00-05:00'>"
            "<meta name='author' content='Ann Smith'>")
    found = extract_article(page(head))
    assert found.title == "Council approves budget"
    assert found.publisher == "The Town Crier"
    # The publisher's own day, not the UTC one.
    assert (found.published, found.published_from) == ("2021-03-02", "article:published_time")
    assert found.url == "https://crier.example/budget"
    assert found.language == "en-GB"
    assert found.authors == ("Ann Smith",)


def test_json_ld_is_preferred_to_open_graph_and_found_in_a_list():
    head = ("<meta property='article:published_time' content='2021-03-05'>"
            "<meta property='og:site_name' content='Crier'>"
            '<script type="application/ld+json">[{"@type": "Organization", "name": "Ignored"},'
            ' {"@type": ["ReportageNewsArticle"], "datePublished": "2021-03-02", "headline": "H",'
            ' "publisher": "The Town Crier", "inLanguage": "en", "author": {"name": "Ann Smith"}}]</script>')
    found = extract_article(page(head))
    assert (found.published, found.published_from, found.publisher) == ("2021-03-02", "JSON-LD datePublished",
                                                                         "The Town Crier")
    assert (found.title, found.language, found.authors) == ("H", "en", ("Ann Smith",))


def test_without_json_ld_or_open_graph_the_date_comes_from_htmldate():
    found = extract_article(page("<meta name='date' content='2020-07-14'>"))
    assert found.published == "2020-07-14"
    assert found.published_from.startswith("htmldate (")
    assert found.title == "Budget approved"  # <title>
    assert found.publisher is None and found.url is None and found.authors == ()


def test_a_page_with_no_date_anywhere_has_none():
    found = extract_article(page())
    assert (found.published, found.published_from) == (None, None)


def test_the_saved_from_url_resolves_a_relative_canonical_link():
    found = extract_article(page("<link rel='canonical' href='/news/budget'>"), url="https://crier.example/x?y=1")
    assert found.url == "https://crier.example/news/budget"
    assert extract_article(page(), url="https://crier.example/x").url == "https://crier.example/x"


@pytest.mark.parametrize("html", [
    "",
    "<html><body></body></html>",
    "<html><head><title>Menu</title></head><body><nav><a href='/a'>Home</a> <a href='/b'>About</a></nav></body></html>",
    # saved before its script drew the article: a menu of long headlines and a spinner
    "<html><body><div><a href='/a'>How to set up a VPN on your phone in five minutes flat</a></div>"
    "<div><a href='/b'>Google employees resign in protest of Pentagon drone project</a></div>"
    "<div class='spinner'>Loading…</div><script>render()</script></body></html>",
])
def test_a_page_without_article_text_is_an_error_that_says_what_to_do(html):
    with pytest.raises(TimelineError, match="no article text found; save the page as 'Web page, complete'"):
        extract_article(html)


def test_script_in_the_body_does_not_reach_the_text():
    body = FILLER.replace("</p>", "<script>document.write('PWNED')</script><noscript>NOSCRIPT</noscript></p>", 1)
    found = extract_article(page(body=body + "<script>alert('PWNED')</script>"))
    assert "PWNED" not in found.text and "NOSCRIPT" not in found.text and "<" not in found.text
    assert "council voted on Tuesday" in found.text


@pytest.mark.parametrize("bad", [
    "javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd", "//crier.example/no-scheme", "https://crier.example/a\"onmouseover=alert(1)",
])
def test_a_url_that_is_not_http_is_never_the_url(bad):
    head = (f"<link rel='canonical' href='{bad}'><meta property='og:url' content='{bad}'>"
            f'<script type="application/ld+json">{{"@type": "NewsArticle", "url": "{bad}"}}</script>')
    assert extract_article(page(head)).url is None
    # A good URL lower in the order of preference is taken instead.
    good = f"<link rel='canonical' href='{bad}'><meta property='og:url' content='https://crier.example/budget'>"
    assert extract_article(page(good)).url == "https://crier.example/budget"


def test_a_javascript_url_passed_in_is_not_the_url():
    assert extract_article(page(), url="javascript:alert(1)").url is None


def test_nothing_is_fetched(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("extract_article opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    found = extract_article(page("<link rel='canonical' href='https://crier.example/budget'>"),
                            url="https://crier.example/budget")
    assert found.published is None  # htmldate was asked, and looked at the page only
