"""A saved web page (as a browser saves it) read into an article: its main text and what is known about it.

The main text comes from trafilatura, which tells the article from the page's furniture. The metadata
comes from the markup publishers write for search engines and social sites, read here in order of
reliability: schema.org JSON-LD (``NewsArticle`` and kin), then Open Graph and ``article:*`` meta
tags, then, for the date only, htmldate's reading of the page. Nothing is downloaded: the libraries
are given the parsed page, never a URL.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from timeline.errors import TimelineError

#: schema.org types whose JSON-LD describes the article itself.
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting", "Report",
})

NO_TEXT = ("no article text found; save the page as 'Web page, complete' or copy the text into a .txt file")


@dataclass(frozen=True)
class WebArticle:
    """What :func:`extract_article` found in a page."""

    text: str                   # the main text: paragraphs separated by one blank line, no page furniture
    title: str | None
    publisher: str | None       # the publication's name (JSON-LD publisher.name, og:site_name, ...)
    published: str | None       # ISO date YYYY-MM-DD (or YYYY-MM / YYYY if that is all that is known)
    published_from: str | None  # where the date came from: "JSON-LD datePublished", "article:published_time", ...
    url: str | None             # canonical URL (http or https only)
    language: str | None        # BCP 47
    authors: tuple[str, ...]
    removed: tuple[str, ...]    # the page furniture dropped, in words: "site navigation (14 links)", "the footer"


def extract_article(html: bytes | str, url: str | None = None) -> WebArticle:
    """The article in a saved page: main text and metadata. ``url`` (where the page was saved from) only
    resolves a relative canonical link and is the URL when the page names none; it is never fetched.

    Raises :class:`TimelineError` when the page has no main text.
    """
    import trafilatura  # here: heavy, and only `timeline add` needs it

    tree = _parse(html)
    if tree is None:
        raise TimelineError(NO_TEXT)
    # extract() prunes the tree it is given: it gets a copy, the metadata reading gets the page as saved.
    found = trafilatura.extract(
        _copy(tree), output_format="txt", include_comments=False, include_tables=False, include_links=False,
        include_images=False, include_formatting=False, deduplicate=False, with_metadata=False)
    text = _paragraphs(found or "")
    if not _has_prose(text, tree):
        raise TimelineError(NO_TEXT)
    meta = _Meta(tree)
    ld = _json_ld_article(tree)
    published, published_from = _published(tree, ld, meta)
    return WebArticle(
        text=text,
        title=_text(ld.get("headline")) or _text(ld.get("name")) or meta.first("og:title") or _title(tree),
        publisher=_name(ld.get("publisher")) or meta.first("og:site_name") or meta.first("application-name"),
        published=published,
        published_from=published_from,
        url=_url(tree, ld, meta, url),
        language=_language(tree, ld, meta),
        authors=_authors(ld, meta),
        removed=_removed(tree, text),
    )


def _parse(html: bytes | str) -> Any:
    """The page as an lxml tree (trafilatura's loader: it guesses a byte page's encoding), or None if empty."""
    from trafilatura import load_html

    if not (html.strip() if isinstance(html, str) else html.strip()):
        return None
    return load_html(html)


def _copy(tree: Any) -> Any:
    import copy

    return copy.deepcopy(tree)


def _paragraphs(found: str) -> str:
    """trafilatura's text (a paragraph a line) with paragraphs separated by one blank line."""
    lines = (" ".join(line.split()) for line in found.splitlines())
    return "\n\n".join(line for line in lines if line)


#: Words a paragraph needs, besides its links' text, for the page to have an article: trafilatura falls back
#: to the whole body, and a page saved before its script drew the article has only a menu to give.
PROSE_WORDS = 8


def _has_prose(text: str, tree: Any) -> bool:
    """Whether some paragraph of ``text`` is a sentence of the page's own, not a menu of link labels."""
    links = sorted({" ".join(a.text_content().split()) for a in tree.iter("a")} - {""}, key=len, reverse=True)
    for paragraph in text.split("\n\n"):
        for label in links:
            paragraph = paragraph.replace(label, " ")
        if len(paragraph.split()) >= PROSE_WORDS:
            return True
    return False


def _text(value: Any) -> str | None:
    """A metadata value as one clean line, or None when it is not a non-empty string."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# --- JSON-LD -------------------------------------------------------------------------------------

def _json_ld_article(tree: Any) -> dict[str, Any]:
    """The first JSON-LD object of an article type in the page (also inside ``@graph``), or ``{}``."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(_strip_cdata(script.text or ""))
        except ValueError:
            continue  # a publisher's broken block: the meta tags still count
        for node in _nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.rsplit("/", 1)[-1] in ARTICLE_TYPES for t in types):
                return node
    return {}


def _strip_cdata(text: str) -> str:
    text = text.strip()
    for start, end in (("<![CDATA[", "]]>"), ("<!--", "-->")):
        if text.startswith(start) and text.endswith(end):
            text = text[len(start):-len(end)]
    return text


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every object at the top of a JSON-LD document: list items and ``@graph`` members included."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"])


def _name(value: Any) -> str | None:
    """A JSON-LD person or organisation's name: ``{"name": ...}`` or a plain string."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


# --- meta tags -----------------------------------------------------------------------------------

class _Meta:
    """The page's ``<meta property|name=... content=...>`` values, by lower-cased key, in page order."""

    def __init__(self, tree: Any) -> None:
        self.values: dict[str, list[str]] = {}
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
            content = _text(meta.get("content"))
            if key and content:
                self.values.setdefault(key, []).append(content)

    def first(self, key: str) -> str | None:
        values = self.values.get(key)
        return values[0] if values else None


def _title(tree: Any) -> str | None:
    found = tree.find(".//title")
    return _text(found.text_content()) if found is not None else None


# --- the date ------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?=$|[T\s+Z]|[+-]\d\d:?\d\d$)")


def _iso(value: Any) -> str | None:
    """The calendar date of an ISO 8601 date or date-time, as written (the publisher's own day), or None."""
    value = _text(value)
    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day) if part)


def _published(tree: Any, ld: dict[str, Any], meta: _Meta) -> tuple[str | None, str | None]:
    """``(date, where it came from)``: JSON-LD, then the meta tags, then htmldate's reading of the page."""
    if date := _iso(ld.get("datePublished")):
        return date, "JSON-LD datePublished"
    for key in ("article:published_time", "og:published_time", "datepublished"):
        if date := _iso(meta.first(key)):
            return date, key if key != "datepublished" else "itemprop datePublished"
    from htmldate import find_date

    # The tree, never a string: htmldate fetches a string that looks like a URL.
    for extensive, how in ((False, "the page's markup"), (True, "the page's text")):
        date = find_date(_copy(tree), extensive_search=extensive, original_date=True, outputformat="%Y-%m-%d")
        if date:
            return date, f"htmldate ({how})"
    return None, None


# --- URL, language, authors ----------------------------------------------------------------------

def _web_url(value: str | None, base: str | None) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base``), or None: no ``javascript:``, no ``data:``."""
    value = _text(value)
    if not value:
        return None
    if base and _web_url(base, None):
        value = urljoin(base, value)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in value for c in " <>\"'`"):
        return None
    return value


def _url(tree: Any, ld: dict[str, Any], meta: _Meta, saved_from: str | None) -> str | None:
    canonical = [link.get("href") for link in tree.iter("link")
                 if "canonical" in (link.get("rel") or "").lower().split()]
    entity = ld.get("mainEntityOfPage")
    candidates = [*canonical, meta.first("og:url"), _text(ld.get("url")),
                  _text(entity.get("@id")) if isinstance(entity, dict) else _text(entity)]
    for candidate in candidates:
        if found := _web_url(candidate, saved_from):
            return found
    return _web_url(saved_from, None)


_BCP47 = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _language(tree: Any, ld: dict[str, Any], meta: _Meta) -> str | None:
    in_language = ld.get("inLanguage")
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    for candidate in (tree.get("lang"), _text(in_language), meta.first("og:locale")):
        tag = (candidate or "").strip().replace("_", "-")
        if _BCP47.fullmatch(tag):
            return tag
    return None


def _authors(ld: dict[str, Any], meta: _Meta) -> tuple[str, ...]:
    """The authors' names: JSON-LD's, else the ``author`` meta tags (``article:author`` is often a URL: skipped)."""
    people = ld.get("author")
    people = people if isinstance(people, list) else [people] if people else []
    names = [_name(person) for person in people]
    if not any(names):
        names = meta.values.get("author", []) + meta.values.get("article:author", [])
    return tuple(dict.fromkeys(n for n in names if n and not _web_url(n, None)))


# --- what was removed ----------------------------------------------------------------------------

#: Page furniture, by what its tag, role, class or id says it is: (kind, test on tag, pattern on role/class/id).
_FURNITURE = (
    ("navigation", {"nav"}, re.compile(r"\bnavigation\b|(?:^|[\s_-])(?:nav|navbar|menu)(?:$|[\s_-])")),
    ("cookie", set(), re.compile(r"cookie|consent|gdpr|onetrust")),
    ("advertisement", set(), re.compile(r"(?:^|[\s_-])(?:ad|ads|advert|advertisement|sponsored|dfp|gpt)(?:$|[\s_-])")),
    ("share", set(), re.compile(r"share|social")),
    ("related", set(), re.compile(r"related|recommend|read-?next|more-stories")),
    ("newsletter", set(), re.compile(r"newsletter|subscribe|sign-?up")),
    ("comments", set(), re.compile(r"comment|disqus")),
    ("footer", {"footer"}, re.compile(r"contentinfo|(?:^|[\s_-])footer(?:$|[\s_-])")),
    ("header", set(), re.compile(r"\bbanner\b|site-header|masthead")),
)


def _kind(element: Any) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("html", "body", "main", "article", "script", "style"):
        return None
    marks = " ".join(element.get(a) or "" for a in ("role", "class", "id", "aria-label")).lower()
    for kind, tags, pattern in _FURNITURE:
        if tag in tags or pattern.search(marks):
            return kind
    return None


def _removed(tree: Any, text: str) -> tuple[str, ...]:
    """The furniture the page has and the text left out, in words, in page order."""
    body = " ".join(text.split())
    lead = text.split("\n", 1)[0][:200]
    found: dict[str, list[int]] = {}  # kind -> [how many, links in them]
    root = tree.find("body")
    for kind, element in _furniture(root if root is not None else tree):
        content = " ".join(element.text_content().split())
        # Only what was left out; and a wrapper around the article (a share bar's container) is not furniture.
        if content and content not in body and lead not in content:
            tally = found.setdefault(kind, [0, 0])
            tally[0] += 1
            tally[1] += sum(1 for _ in element.iter("a"))
    return tuple(_describe(kind, count, links) for kind, (count, links) in found.items())


def _furniture(element: Any) -> Iterator[tuple[str, Any]]:
    """``(kind, element)`` for the outermost furniture under ``element``, in page order.

    A page header is furniture that holds more: its navigation is counted on its own.
    """
    for child in element:
        kind = _kind(child)
        if kind:
            yield kind, child
        if kind in (None, "header"):
            yield from _furniture(child)


def _describe(kind: str, count: int, links: int) -> str:
    many = count > 1
    if kind == "navigation":
        return f"site navigation ({links} link{'s' * (links != 1)})"
    if kind == "related":
        return f"{links} related-article link{'s' * (links != 1)}"
    return {
        "cookie": "a cookie notice",
        "advertisement": f"{count} advertisements" if many else "an advertisement",
        "share": "share buttons",
        "newsletter": "a newsletter sign-up",
        "comments": "the comments",
        "footer": "the footer",
        "header": "the page header",
    }[kind]
