"""Hypothesis strategies for cases: small, random, valid case directories, written as an analyst would.

:func:`cases` draws a :class:`CaseSpec` (case metadata, articles, entities, events and claims) that passes every
check by construction: ids are unique across kinds, references point at records of the right kind, event types,
roles and stances come from the ontology's schemes, dates are EDTF in every supported form, and every quote is
a substring of its article's text. Text fields are drawn from arbitrary Unicode (no NUL, no lone surrogates,
which neither YAML nor UTF-8 can carry) mixed with hostile pieces: quotes, backslashes, newlines, ``\\r``, tabs,
control characters, emoji, right-to-left text, markup, ``\"\"\"``, YAML and Turtle syntax.

:func:`write_case` writes a spec as a case directory (``case.yaml``, ``articles/*.md`` with YAML front matter,
``entities.yaml``, ``events.yaml``, ``claims.yaml``). :func:`expected_text` is what the loader makes of a text
field (it strips surrounding whitespace). Used by ``tests/test_properties.py``, ``tests/test_dates.py`` and the
fuzzer in ``fuzz/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from timeline.case.model import AGENT_TYPES, DOCUMENT_TYPES, ENTITY_TYPES, ORGANIZATION_TYPES
from timeline.case.vocabularies import load_vocabularies

#: Pieces of text that have broken serialisers, templates and parsers somewhere.
HOSTILE = (
    '"', "'", "\\", "\n", "\r", "\t", "\r\n", "\n\n", " ", '"""', "'''", "\\\"", '\\"', "\\n", "\\u0041",
    "\\U0001F600", "<script>alert(1)</script>", "</script>", "<!--", "]]>", "&amp;", "&", "<", ">", "`",
    "${x}", "{{x}}", "%s", "%(x)s", "{0}", "#", "# not a comment", ": ", "- ", "? ", "---", "...", "|", ">-",
    "!!python/object:os.system", "!!binary", "*alias", "&anchor", "@", "@en", "^^xsd:string", "_:b0",
    "<http://example.org/x>", "?x", "} ; DROP ALL ; {", "\"@context\"", "null", "~", "true", "no", "1e3",
    "0x1F", "2018-06-12", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\x85", "\xa0",
    "\u2028", "\u2029", "\u200b", "\u200d", "\u202e", "\u200f", "\ufeff", "\ufffd", "\ufffe", "\uffff",
    "\ue000", "\U0010fffd", "\U000e0001", "\u0301", "e\u0301", "שלום", "مرحبا بالعالم", "Ελληνικά",
    "日本語のテキスト", "🎉", "👩‍👩‍👧", "🏳️‍🌈", "𝕏", "ﷺ", "Ⅻ",
)
# Everything but NUL and the surrogates (not representable in UTF-8).
TEXT_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_PIECE = st.one_of(st.sampled_from(HOSTILE), st.text(TEXT_CHARS, min_size=1, max_size=8),
                   st.from_regex(r"[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,3}", fullmatch=True))


def texts(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Text that a ``str`` field accepts: anything with a non-whitespace character."""
    return st.lists(_PIECE, min_size=1, max_size=max_pieces).map("".join).filter(lambda s: s.strip() != "")


def expected_text(value: str) -> str:
    """What the loader keeps of a text field."""
    return value.strip()


def no_crlf(text: str) -> str:
    """Article text as the loader sees it: it reads ``\\r\\n`` as ``\\n``."""
    while "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text


# ------------------------------------------------------------------- EDTF

D = date
SIMPLE_PRECISIONS = ("day", "month", "season", "year", "decade", "century", "day-xx", "month-xx", "month-day-xx")
#: The unit that each written precision parses to.
UNIT_OF = {"day": "day", "month": "month", "season": "season", "year": "year", "decade": "decade",
           "century": "century", "day-xx": "month", "month-xx": "year", "month-day-xx": "year"}
# Seasons need year >= 2 (January of year 1 is in winter 0000); decades >= 10, centuries >= 100 (year 0000 is not
# supported); 9998 is the last year whose winter ends inside the supported range.
EDTF_DATES = st.dates(min_value=D(100, 1, 1), max_value=D(9998, 12, 31))
QUALIFIERS = ("", "?", "~", "%")


def _season_of(d: date) -> str:
    """The EDTF season (21-24) that contains ``d``; January and February belong to the previous winter."""
    if d.month in (1, 2):
        return f"{d.year - 1:04d}-24"
    return f"{d.year:04d}-{21 + (d.month - 3) // 3}"


def written(d: date, precision: str) -> str:
    """``d`` written as an EDTF date of the given precision; the written date always contains ``d``."""
    return {
        "day": lambda: d.isoformat(),
        "month": lambda: f"{d.year:04d}-{d.month:02d}",
        "season": lambda: _season_of(d),
        "year": lambda: f"{d.year:04d}",
        "decade": lambda: f"{d.year // 10:03d}X",
        "century": lambda: f"{d.year // 100:02d}XX",
        "day-xx": lambda: f"{d.year:04d}-{d.month:02d}-XX",
        "month-xx": lambda: f"{d.year:04d}-XX",
        "month-day-xx": lambda: f"{d.year:04d}-XX-XX",
    }[precision]()


@dataclass(frozen=True)
class EdtfCase:
    """A generated EDTF value and what it was made from."""

    text: str
    shape: str  # simple, interval, one-of
    dates: tuple[date, ...]  # the dates the written parts contain, in order
    precisions: tuple[str, ...]  # per written part (None for an open or unknown end)
    qualifiers: tuple[str, ...]


@st.composite
def edtf_cases(draw: Any, shapes: tuple[str, ...] = ("simple", "interval", "one-of"),
               precisions: tuple[str, ...] = SIMPLE_PRECISIONS, qualifiers: tuple[str, ...] = QUALIFIERS,
               same_precision: bool = False, closed: bool = False) -> EdtfCase:
    """Valid EDTF of every supported form: dates, seasons, unspecified digits, qualifiers, (half-)open
    intervals and one-of ranges, at any precision on each end (the same on both with ``same_precision``;
    both ends known with ``closed``)."""
    shape = draw(st.sampled_from(shapes))
    precision = st.sampled_from(precisions)
    qualifier = st.sampled_from(qualifiers)
    if shape == "simple":
        d, p, q = draw(EDTF_DATES), draw(precision), draw(qualifier)
        return EdtfCase(written(d, p) + q, shape, (d,), (p,), (q,))
    a, b = sorted((draw(EDTF_DATES), draw(EDTF_DATES)))
    pa, qa, qb = draw(precision), draw(qualifier), draw(qualifier)
    pb = pa if same_precision else draw(precision)
    left, right = written(a, pa) + qa, written(b, pb) + qb
    ends = "both" if closed else draw(st.sampled_from(
        ["both", "open-end", "unknown-end", "open-start", "unknown-start"] if shape == "interval"
        else ["both", "open-end", "open-start"]))
    if ends in ("open-end", "unknown-end"):
        right, pb, qb = (".." if ends == "open-end" and shape == "interval" else ""), "", ""
    if ends in ("open-start", "unknown-start"):
        left, pa, qa = (".." if ends == "open-start" and shape == "interval" else ""), "", ""
    text = f"{left}/{right}" if shape == "interval" else f"[{left}..{right}]"
    return EdtfCase(text, shape, (a, b), (pa, pb), (qa, qb))


edtf_texts = edtf_cases().map(lambda c: c.text)


# ------------------------------------------------------------------- cases

IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,11}", fullmatch=True)
LANGUAGES = st.sampled_from(["en", "de", "pt-BR", "zh-Hant", "ar", "he"])
URLS = st.builds(lambda host, path, query, fragment: f"https://{host}.example/{path}{query}{fragment}",
                 st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True),
                 st.from_regex(r"([A-Za-z0-9._~!$&()*+,;=:@/-]|%[0-9A-F]{2}|[éü漢])*", fullmatch=True),
                 st.from_regex(r"(\?[A-Za-z0-9=&%/?:@-]*)?", fullmatch=True).filter(lambda q: "%" not in q),
                 st.from_regex(r"(#[A-Za-z0-9/?:@-]*)?", fullmatch=True))


@dataclass
class CaseSpec:
    """A case as plain data: what the YAML files and articles hold."""

    case: dict[str, Any]
    articles: dict[str, tuple[dict[str, Any], str]]  # id -> (front matter, text)
    entities: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    dump: dict[str, Any] = field(default_factory=dict)  # yaml.safe_dump options

    def entity(self, id_: str) -> dict[str, Any]:
        return next(e for e in self.entities if e["id"] == id_)


def _maybe(draw: Any, strategy: st.SearchStrategy) -> Any:
    return draw(strategy) if draw(st.booleans()) else None


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, [], ""):
        record[key] = value


@st.composite
def quotes_in(draw: Any, text: str) -> str:
    """A substring of ``text`` with at least one non-whitespace character (as the loader requires)."""
    anchors = [i for i, ch in enumerate(text) if not ch.isspace()]
    k = draw(st.sampled_from(anchors))
    start = draw(st.integers(max(0, k - 40), k))
    end = draw(st.integers(k + 1, min(len(text), k + 40)))
    return text[start:end]


@st.composite
def cases(draw: Any, max_entities: int = 5, max_events: int = 4, max_claims: int = 3,
          max_articles: int = 3) -> CaseSpec:
    vocab = load_vocabularies()
    text = texts()
    n_articles = draw(st.integers(1, max_articles))
    n_entities = draw(st.integers(1, max_entities))
    n_events = draw(st.integers(1, max_events))
    n_claims = draw(st.integers(0, max_claims))
    ids = draw(st.lists(IDS, min_size=n_articles + n_entities + n_events + n_claims,
                        max_size=n_articles + n_entities + n_events + n_claims, unique=True))
    article_ids = ids[:n_articles]
    entity_ids = ids[n_articles:n_articles + n_entities]
    event_ids = ids[n_articles + n_entities:n_articles + n_entities + n_events]
    claim_ids = ids[n_articles + n_entities + n_events:]

    case = {"id": draw(IDS), "title": draw(text)}
    _put(case, "description", _maybe(draw, text))
    _put(case, "language", _maybe(draw, LANGUAGES))

    # Entities: the first is an agent (a claimant needs one).
    types = [draw(st.sampled_from(sorted(AGENT_TYPES)))] + [
        draw(st.sampled_from(sorted(ENTITY_TYPES))) for _ in entity_ids[1:]]
    entities = []
    for id_, type_ in zip(entity_ids, types, strict=True):
        e: dict[str, Any] = {"id": id_, "type": type_, "label": draw(text)}
        _put(e, "aliases", draw(st.lists(text, max_size=3, unique_by=expected_text)))
        _put(e, "description", _maybe(draw, text))
        _put(e, "wikidata", _maybe(draw, st.integers(1, 10**9).map(lambda n: f"Q{n}")))
        _put(e, "position", _maybe(draw, text))
        _put(e, "note", _maybe(draw, text))
        entities.append(e)

    def of(kinds: set[str], exclude: str = "") -> list[str]:
        return [e["id"] for e in entities if e["type"] in kinds and e["id"] != exclude]

    for e in entities:
        orgs = of(ORGANIZATION_TYPES | {"group"}, e["id"])
        if orgs:
            _put(e, "member_of", draw(st.lists(st.sampled_from(orgs), max_size=2, unique=True)))
            if e["type"] in ORGANIZATION_TYPES | {"product", "technology", "project"} and draw(st.booleans()):
                e["parent" if e["type"] in ORGANIZATION_TYPES else "made_by"] = draw(
                    st.sampled_from(of(ORGANIZATION_TYPES, e["id"]) or orgs))
        places = of({"place"}, e["id"])
        if places and draw(st.booleans()):
            e["located_in"] = draw(st.sampled_from(places))
    for e in entities:  # made_by and parent need an organisation, not a group
        for key in ("parent", "made_by"):
            if key in e and e[key] not in of(ORGANIZATION_TYPES):
                del e[key]

    # Articles.
    articles = {}
    for id_ in article_ids:
        body = no_crlf(draw(st.lists(text, min_size=1, max_size=4).map(
            lambda parts: draw(st.sampled_from(["\n", " ", "\n\n", ""])).join(parts))))
        meta: dict[str, Any] = {"id": id_, "title": draw(text), "published": draw(edtf_texts),
                                "language": draw(LANGUAGES),
                                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}
        _put(meta, "title_supplied", _maybe(draw, st.booleans()))
        news = of({"news-organization"})
        if news and draw(st.booleans()):
            meta["publisher"] = draw(st.sampled_from(news))
            _put(meta, "publisher_note", _maybe(draw, text))
        _put(meta, "published_note", _maybe(draw, text))
        _put(meta, "url", _maybe(draw, URLS))
        _put(meta, "seed", _maybe(draw, text))
        _put(meta, "trimmed", _maybe(draw, text))
        articles[id_] = (meta, body)

    def citations() -> list[dict[str, str]]:
        out = []
        for _ in range(draw(st.integers(1, 3))):
            source = draw(st.sampled_from(article_ids))
            out.append({"source": source, "quote": draw(quotes_in(articles[source][1]))})
        return out

    def dated(record: dict[str, Any], required: bool) -> None:
        if not required and draw(st.booleans()):
            return
        record["date"] = draw(edtf_texts)
        record["date_basis"] = draw(st.sampled_from(sorted(vocab.date_bases)))
        if record["date_basis"] != "stated" or draw(st.booleans()):
            record["date_note"] = draw(text)

    events = []
    for id_ in event_ids:
        kinds = draw(st.lists(st.sampled_from(sorted(vocab.event_types)), min_size=1, max_size=2, unique=True))
        ev: dict[str, Any] = {"id": id_, "type": kinds[0] if len(kinds) == 1 and draw(st.booleans()) else kinds,
                              "label": draw(text), "description": draw(text)}
        dated(ev, required=True)
        places = of({"place"})
        if places and draw(st.booleans()):
            ev["place"] = draw(st.sampled_from(places))
        pairs = draw(st.lists(st.tuples(st.sampled_from(entity_ids), st.sampled_from(sorted(vocab.roles))),
                              min_size=1, max_size=3, unique=True))
        ev["participants"] = [{"entity": e, "role": r} for e, r in pairs]
        documents = of(DOCUMENT_TYPES)
        if documents:
            _put(ev, "produced", draw(st.lists(st.sampled_from(documents), max_size=2, unique=True)))
        others = [x for x in event_ids if x != id_]
        if others:
            _put(ev, "responds_to", draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
            _put(ev, "sub_event_of", draw(st.lists(st.sampled_from(others), max_size=1, unique=True)))
        ev["citations"] = citations()
        _put(ev, "note", _maybe(draw, text))
        events.append(ev)

    claims = []
    for id_ in claim_ids:
        c: dict[str, Any] = {"id": id_, "claimant": draw(st.sampled_from(of(AGENT_TYPES))),
                             "about": draw(st.lists(st.sampled_from(event_ids + entity_ids), min_size=1, max_size=2,
                                                    unique=True)),
                             "stance": draw(st.sampled_from(sorted(vocab.stances))), "text": draw(text)}
        orgs = of(ORGANIZATION_TYPES | {"group"})
        if orgs and draw(st.booleans()):
            c["on_behalf_of"] = draw(st.sampled_from(orgs))
        if draw(st.booleans()):
            c["stated_in"] = draw(st.sampled_from(event_ids))
        dated(c, required=False)
        c["citations"] = citations()
        others = [x for x in claim_ids if x != id_]
        if others:
            _put(c, "contradicts", draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
            _put(c, "corroborates", draw(st.lists(st.sampled_from(others), max_size=1, unique=True)))
        _put(c, "source_reliability", _maybe(draw, st.sampled_from("ABCDEF")))
        _put(c, "information_credibility", _maybe(draw, st.integers(1, 6)))
        _put(c, "note", _maybe(draw, text))
        claims.append(c)

    dump = {"allow_unicode": draw(st.booleans()), "default_style": draw(st.sampled_from([None, '"'])),
            "width": draw(st.sampled_from([80, 20, 10**6]))}
    return CaseSpec(case, articles, entities, events, claims, dump)


# ------------------------------------------------------------------- files


def dump_yaml(data: Any, **options: Any) -> str:
    """YAML for ``data``. PyYAML's emitter mangles some strings (U+0085 in single-quoted and block
    scalars, for one); when the text does not load back as ``data``, every scalar is double-quoted instead."""
    text = yaml.safe_dump(data, sort_keys=False, **options)
    if yaml.safe_load(text) != data:
        text = yaml.safe_dump(data, sort_keys=False, **{**options, "default_style": '"'})
    return text


def article_text(meta: dict[str, Any], body: str, **options: Any) -> str:
    return "---\n" + dump_yaml(meta, **options) + "---\n" + body


def write_case(spec: CaseSpec, directory: Path) -> Path:
    """Write ``spec`` as a case directory and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "articles").mkdir(exist_ok=True)
    options = spec.dump
    (directory / "case.yaml").write_text(dump_yaml(spec.case, **options), encoding="utf-8", newline="")
    for id_, (meta, body) in spec.articles.items():
        (directory / "articles" / f"{id_}.md").write_text(article_text(meta, body, **options), encoding="utf-8",
                                                          newline="")
    for name, records in (("entities", spec.entities), ("events", spec.events), ("claims", spec.claims)):
        (directory / f"{name}.yaml").write_text(dump_yaml(records, **options) if records else "",
                                                encoding="utf-8", newline="")
    return directory
