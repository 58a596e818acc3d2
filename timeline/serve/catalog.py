"""The workbench's indexes over one :class:`~timeline.views.model.View`, built once when the server starts.

Every page of the workbench reads from a :class:`Catalog`: records by id, an entity's events, claims,
relations and sources, a source's cited passages with what each supports, and the names and texts that the
search box and ``GET /suggest`` look through. Building it is linear in the size of the case; afterwards a page
reads only what it shows, so an entity or event page costs the same at 45 events as at 10,000.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from timeline.case.names import norm
from timeline.views.model import Citation, ClaimView, EventView, View

SUGGEST_LIMIT = 20
SEARCH_LIMIT = 50  # hits shown per kind; the page says how many more there are
COUNT_LIMIT = 1000  # records counted per kind: past that, "1,000 or more"
KINDS = ("entity", "event", "claim", "quote", "source")


def entity_url(eid: str) -> str:
    return "/entity/" + quote(eid, safe="")


def event_url(eid: str) -> str:
    return "/event/" + quote(eid, safe="")


def source_url(sid: str, start: int | None = None, end: int | None = None) -> str:
    base = "/source/" + quote(sid, safe="")
    return base if start is None else f"{base}#{quote_anchor(start, end or start)}"


def quote_anchor(start: int, end: int) -> str:
    """The id of a cited passage on its source page (``q-790-948``): what event pages link to."""
    return f"q-{start}-{end}"


@dataclass
class Support:
    """A record a cited passage supports: an event, or a claim (shown on its event's or claimant's page)."""

    kind: str
    id: str
    label: str
    url: str


@dataclass
class Passage:
    """A cited passage of a source's text, ``text[start:end]``, and the records it supports."""

    start: int
    end: int
    quote: str
    supports: list[Support] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return quote_anchor(self.start, self.end)


@dataclass
class Piece:
    """A stretch of an article's paragraph: plain text, or (``passages`` not empty) a cited passage, with the
    anchors that start here (``anchors``) and, on its last piece, the records it supports (``supports``)."""

    text: str
    passages: list[Passage] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)


@dataclass
class SearchEntry:
    kind: str
    id: str
    label: str
    url: str
    field: str  # what matched: "label", "alias", "description", "quote", ...
    text: str
    lower: str


class Catalog:
    """The indexes of one view (see the module's docstring); ``texts`` are the sources' texts by id."""

    def __init__(self, view: View, texts: dict[str, str], description: str = ""):
        self.view = view
        self.description = description
        self.texts = texts
        self.events: dict[str, EventView] = {e.id: e for e in view.events}
        self.order = {e.id: i for i, e in enumerate(view.events)}
        self.entity_events: dict[str, list[tuple[EventView, list[str]]]] = defaultdict(list)
        for ev in view.events:
            roles: dict[str, list[str]] = {}
            for p in ev.participants:
                if p.role not in roles.setdefault(p.id, []):
                    roles[p.id].append(p.role)
            for pid, rs in roles.items():
                self.entity_events[pid].append((ev, rs))
        self.claim_event: dict[str, str] = {}
        for ev in view.events:
            for cid in ev.claims:
                self.claim_event.setdefault(cid, ev.id)
        self.claims_made: dict[str, list[ClaimView]] = defaultdict(list)
        self.claims_about: dict[str, list[ClaimView]] = defaultdict(list)
        for claim in sorted(view.claims.values(), key=lambda c: c.id):
            for who in dict.fromkeys(x for x in (claim.claimant, claim.on_behalf_of) if x):
                self.claims_made[who].append(claim)
            for target in claim.about:
                self.claims_about[target].append(claim)
        self.relations_out: dict[str, list[dict]] = defaultdict(list)
        self.relations_in: dict[str, list[dict]] = defaultdict(list)
        for rel in view.relations():
            self.relations_out[rel["from"]].append(rel)
            self.relations_in[rel["to"]].append(rel)
        self.members: dict[str, list[str]] = defaultdict(list)
        for entity in view.entities.values():
            for org in entity.member_of:
                self.members[org].append(entity.id)
        self.contradicted_by: dict[str, list[ClaimView]] = defaultdict(list)
        for claim in sorted(view.claims.values(), key=lambda c: c.id):
            for other in claim.contradicts:
                self.contradicted_by[other].append(claim)
        self.passages = self._passages()
        self._articles: dict[str, list[list[Piece]]] = {}
        self.source_counts = self._source_counts()
        self._names = self._name_entries()
        self._search = self._search_entries()
        # The search texts as one string (NUL between them, and in none: no search matches across two).
        self._blob = "\x00".join(e.lower.replace("\x00", " ") for e in self._search)
        self._starts, at = [], 0
        self._kind_end: dict[str, int] = {}  # the entries are grouped by kind: where each kind's group ends
        for i, e in enumerate(self._search):
            self._starts.append(at)
            at += len(e.lower) + 1
            self._kind_end[e.kind] = i + 1

    # ------------------------------------------------------------ urls and labels

    def claim_url(self, claim: ClaimView) -> str:
        """A claim is shown on the page of the event it is about (or was made in), else on its claimant's."""
        for target in claim.about:
            if target in self.events:
                return f"{event_url(target)}#claim-{claim.id}"
        if claim.id in self.claim_event:
            return f"{event_url(self.claim_event[claim.id])}#claim-{claim.id}"
        return f"{entity_url(claim.claimant)}#claim-{claim.id}"

    def label(self, some_id: str) -> str:
        """The label of an entity, event or source id; the id itself if it is none of them."""
        if some_id in self.view.entities:
            return self.view.entities[some_id].label
        if some_id in self.events:
            return self.events[some_id].label
        if some_id in self.view.sources:
            return self.view.sources[some_id].title
        return some_id

    def url(self, some_id: str) -> str | None:
        if some_id in self.view.entities:
            return entity_url(some_id)
        if some_id in self.events:
            return event_url(some_id)
        return None

    # ------------------------------------------------------------ sources

    def _passages(self) -> dict[str, list[Passage]]:
        """Each source's cited passages in text order, one per span, with every record each supports."""
        spans: dict[str, dict[tuple[int, int], Passage]] = defaultdict(dict)

        def add(citation: Citation, support: Support) -> None:
            key = (citation.start, citation.start + len(citation.quote))
            passage = spans[citation.source].setdefault(key, Passage(key[0], key[1], citation.quote))
            if support not in passage.supports:
                passage.supports.append(support)

        for ev in self.view.events:
            for c in ev.citations:
                add(c, Support("event", ev.id, ev.label, event_url(ev.id)))
        for claim in sorted(self.view.claims.values(), key=lambda c: c.id):
            for c in claim.citations:
                add(c, Support("claim", claim.id, f"{claim.claimant_label}: {claim.text}", self.claim_url(claim)))
        return {sid: [by_span[k] for k in sorted(by_span)] for sid, by_span in spans.items()}

    def _source_counts(self) -> dict[str, dict[str, int]]:
        counts = {sid: {"events": 0, "claims": 0, "citations": 0} for sid in self.view.sources}
        for ev in self.view.events:
            for sid in ev.sources:
                counts.setdefault(sid, {"events": 0, "claims": 0, "citations": 0})["events"] += 1
        for claim in self.view.claims.values():
            for sid in {c.source for c in claim.citations}:
                counts.setdefault(sid, {"events": 0, "claims": 0, "citations": 0})["claims"] += 1
        for sid, passages in self.passages.items():
            counts.setdefault(sid, {"events": 0, "claims": 0, "citations": 0})["citations"] = len(passages)
        return counts

    def article(self, sid: str) -> list[list[Piece]]:
        """The source's text as paragraphs of :class:`Piece`: cited passages marked, overlapping ones as one."""
        if sid not in self._articles:
            self._articles[sid] = _article(self.texts.get(sid, ""), self.passages.get(sid, []))
        return self._articles[sid]

    def entity_sources(self, eid: str) -> list[str]:
        """The sources citing the entity's events or the claims it made or that are about it."""
        cited = {c.source for ev, _roles in self.entity_events.get(eid, ()) for c in ev.citations}
        for claim in self.claims_made.get(eid, []) + self.claims_about.get(eid, []):
            cited |= {c.source for c in claim.citations}
        return sorted(s for s in cited if s in self.view.sources)

    # ------------------------------------------------------------ suggestions

    def _name_entries(self) -> list[tuple[str, str, str, str, str]]:
        """(normalised name, kind, id, label, url) for every entity's id, label and aliases and every event's."""
        out = []
        for e in self.view.entities.values():
            for name in dict.fromkeys([e.label, *e.aliases, e.id]):
                out.append((norm(name), e.kind_label or "entity", e.id, e.label, entity_url(e.id)))
        for ev in self.view.events:
            for name in dict.fromkeys([ev.label, ev.id]):
                out.append((norm(name), "event", ev.id, ev.label, event_url(ev.id)))
        return out

    def suggest(self, text: str, kind: str = "") -> list[dict[str, str]]:
        """At most :data:`SUGGEST_LIMIT` entities and events whose id, label or alias contains ``text``:
        exact names first, then names starting with it, then names with a word starting with it, then the rest.

        ``kind`` ``entity`` or ``event`` keeps only those.
        """
        wanted = norm(text)
        if not wanted:
            return []
        word = re.compile(r"(?:^|\W)" + re.escape(wanted))
        best: dict[tuple[str, str], tuple[int, str, dict]] = {}
        for name, kind_label, rid, label, url in self._names:
            is_event = kind_label == "event"
            if (kind == "entity" and is_event) or (kind == "event" and not is_event) or wanted not in name:
                continue
            rank = 0 if name == wanted else 1 if name.startswith(wanted) else 2 if word.search(name) else 3
            key = ("event" if is_event else "entity", rid)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, label.casefold(), {"id": rid, "label": label, "kind": kind_label, "url": url})
        ranked = sorted(best.values(), key=lambda item: (item[0], item[1], item[2]["id"]))
        return [item[2] for item in ranked[:SUGGEST_LIMIT]]

    # ------------------------------------------------------------ search

    def _search_entries(self) -> list[SearchEntry]:
        out: list[SearchEntry] = []

        def add(kind: str, rid: str, label: str, url: str, what: str, text: str) -> None:
            if text:
                out.append(SearchEntry(kind, rid, label, url, what, text, text.casefold()))

        for e in self.view.entities.values():
            add("entity", e.id, e.label, entity_url(e.id), "name", e.label)
            for alias in e.aliases:
                add("entity", e.id, e.label, entity_url(e.id), "alias", alias)
            add("entity", e.id, e.label, entity_url(e.id), "description", e.description)
        for ev in self.view.events:
            add("event", ev.id, ev.label, event_url(ev.id), "name", ev.label)
            add("event", ev.id, ev.label, event_url(ev.id), "description", ev.description)
        for claim in sorted(self.view.claims.values(), key=lambda c: c.id):
            add("claim", claim.id, claim.claimant_label, self.claim_url(claim), "claim", claim.text)
        for sid, passages in sorted(self.passages.items()):
            title = self.label(sid)
            for p in passages:
                add("quote", f"{sid}#{p.anchor}", title, source_url(sid, p.start, p.end), "quote", p.quote)
        for s in self.view.sources.values():
            add("source", s.id, s.title, source_url(s.id), "title", s.title)
        return out

    def search(self, text: str) -> dict[str, dict]:
        """The records whose names, aliases, descriptions, claims, quotes or titles contain ``text`` (any case):
        by kind (:data:`KINDS`), ``{"total": n, "more": bool, "hits": [...]}`` with at most :data:`SEARCH_LIMIT`
        hits, each ``{kind, id, label, url, field, pieces}`` where ``pieces`` are ``(text, matched)`` pairs.
        Counting stops at :data:`COUNT_LIMIT` records of a kind (``more`` is then true). Best first: a name typed
        whole, then a match at the start of a word, then inside one; then by label."""
        wanted = " ".join(text.split()).casefold()
        results: dict[str, dict] = {k: {"total": 0, "more": False, "hits": []} for k in KINDS}
        if not wanted or "\x00" in wanted:
            return results
        best: dict[str, dict[str, tuple[int, int]]] = {k: {} for k in KINDS}  # kind: {id: (rank, entry)}
        blob, starts = self._blob, self._starts
        at = blob.find(wanted)
        while at >= 0:  # str.find runs over all the texts at once; Python looks only at the matches
            i = bisect_right(starts, at) - 1
            entry = self._search[i]
            group, found = results[entry.kind], best[entry.kind]
            # 0: the whole text (a name or alias as typed), 1: from the start of a word, 2: inside a word
            rank = 0 if len(entry.lower) == len(wanted) else 1 if at == starts[i] or not blob[at - 1].isalnum() else 2
            if entry.id in found:
                found[entry.id] = min(found[entry.id], (rank, i))
            elif len(found) == COUNT_LIMIT:
                group["more"] = True
            else:
                found[entry.id] = (rank, i)
            after = self._kind_end[entry.kind] if group["more"] else i + 1  # a full kind: on to the next
            at = blob.find(wanted, starts[after]) if after < len(starts) else -1
        for kind, found in best.items():
            group = results[kind]
            group["total"] = len(found)
            ranked = sorted(found.values(), key=lambda r: (r[0], self._search[r[1]].label.casefold(), r[1]))
            for _rank, i in ranked[:SEARCH_LIMIT]:
                entry = self._search[i]
                group["hits"].append({"kind": entry.kind, "id": entry.id, "label": entry.label, "url": entry.url,
                                      "field": entry.field, "pieces": pieces(entry.text, entry.lower, wanted)})
        return results

    # ------------------------------------------------------------ the case at a glance

    def years(self) -> list[tuple[str, int]]:
        counts = Counter(e.sort[:4] for e in self.view.events if e.sort)
        return sorted(counts.items())


def pieces(text: str, lower: str, wanted: str, context: int = 90) -> list[tuple[str, bool]]:
    """``text`` cut into (text, matched) pieces around each occurrence of ``wanted`` in ``lower`` (its casefold,
    assumed the same length); long stretches between matches shortened to ``context`` characters with "…"."""
    if len(lower) != len(text):  # casefold changed the length (e.g. "ß"): mark nothing rather than misplace
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    at = 0
    while True:
        found = lower.find(wanted, at)
        if found < 0:
            break
        out.append((text[at:found], False))
        out.append((text[found:found + len(wanted)], True))
        at = found + len(wanted)
    out.append((text[at:], False))
    return [(_shorten(t, context, i == 0, i == len(out) - 1), hit) if not hit else (t, hit)
            for i, (t, hit) in enumerate(out) if t]


def _shorten(text: str, context: int, first: bool, last: bool) -> str:
    if len(text) <= 2 * context:
        return text
    if first:
        return "…" + text[-context:]
    if last:
        return text[:context] + "…"
    return text[:context] + " … " + text[-context:]


def _article(text: str, passages: list[Passage]) -> list[list[Piece]]:
    """``text`` cut into paragraphs (at blank lines) of pieces, with ``passages`` (sorted by start) marked."""
    clusters: list[list[Passage]] = []
    for p in passages:
        if p.end > len(text) or text[p.start:p.end] != p.quote:
            continue  # the graph's position does not fit this text: never mark the wrong words
        if clusters and p.start < max(q.end for q in clusters[-1]):
            clusters[-1].append(p)
        else:
            clusters.append([p])
    stretches: list[Piece] = []
    at = 0
    for cluster in clusters:
        start, end = cluster[0].start, max(p.end for p in cluster)
        if start > at:
            stretches.append(Piece(text[at:start]))
        supports: list[Support] = []
        for p in cluster:
            supports += [s for s in p.supports if s not in supports]
        stretches.append(Piece(text[start:end], cluster, [p.anchor for p in cluster], supports))
        at = end
    if at < len(text):
        stretches.append(Piece(text[at:]))
    paragraphs: list[list[Piece]] = [[]]
    for piece in stretches:
        parts = re.split(r"\n\s*\n", piece.text)
        for i, part in enumerate(parts):
            if i:
                paragraphs.append([])
            first, last = i == 0, i == len(parts) - 1
            if part or (piece.passages and (first or last)):
                paragraphs[-1].append(Piece(part, piece.passages, piece.anchors if first else [],
                                            piece.supports if last else []))
    return [p for p in paragraphs if any(piece.text.strip() or piece.anchors for piece in p)]
