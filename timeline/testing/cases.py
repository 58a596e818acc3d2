"""Synthetic cases for scale tests and benchmarks: seeded, deterministic, valid.

:func:`write_synthetic_case` writes a complete case directory — ``case.yaml``,
a few hundred articles at most (``articles/*.md`` whose generated text
contains every quote), and ``entities.csv`` + ``events.csv`` (CSV, because a
YAML file of 100,000 events is slow to read) — that validates with no errors
and builds (read it with :func:`timeline.case.tables.load_case_with_csv`).

:func:`synthetic_nquads` returns the built graph of the same case without
writing it to disk and reading it back; :func:`timeline.testing.views.synthetic_view`
the view that :func:`timeline.views.model.load_view` reads from that graph.

The distributions are meant to look like news coverage: a long tail of actors
per event (most events have one to three, a few many) drawn with Zipf-like
weights so that a few actors appear very often; dates from 2010 to 2025 with
mixed precision (days, months, seasons, years, approximate and uncertain
dates, intervals, a few open-ended ones and one-of ranges); one or two event
types per event from the ontology's scheme; roles from the role scheme; one
to three citing articles per event.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from datetime import date, timedelta
from pathlib import Path

from timeline import namespaces
from timeline.case.dates import parse_edtf
from timeline.case.model import Case, Citation, Entity, Event, Participant, Source
from timeline.case.tables import write_entities_csv, write_events_csv
from timeline.case.vocabularies import load_vocabularies
from timeline.graph.build import case_nquads

FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2025, 12, 31)
CASE_ID = "synthetic"

_FIRST_NAMES = ["Alex", "Maria", "Sam", "Priya", "Jordan", "Lena", "Omar", "Grace", "Tomas", "Aiko", "Noah",
                "Fatima", "Lucas", "Ines", "Daniel", "Mei", "Carlos", "Hannah", "Kwame", "Sofia"]
_LAST_NAMES = ["Moreno", "Okafor", "Lindqvist", "Chen", "Novak", "Haddad", "Brennan", "Kowalski", "Sato",
               "Rossi", "Adeyemi", "Fischer", "Dubois", "Nakamura", "Silva", "Walsh", "Petrov", "Khan"]
_WORDS = ["Northwind", "Bluebird", "Cedar", "Granite", "Harbor", "Juniper", "Keystone", "Lumen", "Meridian",
          "Oakridge", "Pinnacle", "Quarry", "Redwood", "Summit", "Tidewater", "Vantage", "Willow", "Zenith"]
_CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Maple Falls", "Brookport", "Eastbury",
           "Westfield", "Kingsbridge", "Clearwater", "Ashford", "Millbrook"]
_OUTLETS = ["Gazette", "Tribune", "Herald", "Observer", "Courier", "Ledger", "Chronicle", "Dispatch", "Post"]
_FILLER = [
    "The story has drawn attention from civil liberties groups and from lawmakers.",
    "Several people familiar with the matter spoke on condition of anonymity.",
    "Documents obtained through public records requests shed further light on the arrangement.",
    "Critics say the technology is prone to error and used without adequate oversight.",
    "A spokesperson declined to comment beyond a written statement.",
    "The debate over facial recognition has intensified in recent years.",
    "Supporters argue that the tools help investigators solve cases faster.",
    "It was not immediately clear how many agencies were involved.",
]
# Entity kinds: (type, id prefix, weight among entities).
_KINDS = [
    ("person", "person", 30), ("company", "company", 14), ("government-agency", "agency", 9),
    ("police-department", "police", 9), ("advocacy-group", "advocacy", 7), ("research-group", "research", 5),
    ("legislature", "legislature", 2), ("group", "group", 3), ("product", "product", 7),
    ("technology", "technology", 3), ("project", "project", 2), ("place", "place", 5), ("report", "report", 2),
    ("letter", "letter", 2),
]
_VERBS = {
    "meeting": "met with", "pitch": "pitched its services to", "presentation": "presented to",
    "report": "published a report on", "news-report": "reported on", "study": "published a study involving",
    "letter": "sent a letter to", "email": "emailed", "statement": "issued a statement about",
    "announcement": "made an announcement involving", "interview": "gave an interview to",
    "press-release": "issued a press release about", "criticism": "criticised", "demand": "made demands of",
    "request": "made a request to", "refusal": "refused a request from", "protest": "protested against",
    "moratorium": "announced a moratorium affecting", "policy-change": "changed its policy towards",
    "legislation": "moved to legislate on",
    "discontinuation": "stopped working with", "test": "tested a system with", "deployment": "deployed a system with",
    "contract": "signed a contract with", "partnership": "announced a partnership with",
    "disclosure": "disclosed dealings with", "incident": "was involved in an incident with",
    "broadcast": "broadcast a programme featuring", "investigation": "opened an investigation into",
}


# ------------------------------------------------------------------ the case, in memory


def _edtf(rng: random.Random, day: date) -> tuple[str, str, str | None]:
    """(EDTF, date_basis, date_note) with a mix of precisions; never after LAST_DAY for a start."""
    pick = rng.random()
    if pick < 0.50:
        text = day.isoformat()
    elif pick < 0.74:
        text = day.strftime("%Y-%m")
    elif pick < 0.76:
        text = f"{day.year}-{rng.choice([21, 22, 23]):02d}"  # spring, summer, autumn (winter spills over)
    elif pick < 0.84:
        text = str(day.year)
    elif pick < 0.87:
        text = day.isoformat() + "~"
    elif pick < 0.89:
        text = day.strftime("%Y-%m") + "~"
    elif pick < 0.90:
        text = f"{day.year}?"
    elif pick < 0.975:
        end = min(day + timedelta(days=rng.randint(3, 420)), LAST_DAY)
        text = f"{day.isoformat()}/{end.strftime('%Y-%m') if rng.random() < 0.5 else end.isoformat()}"
    elif pick < 0.990:
        end = day + timedelta(days=rng.randint(1, 14))
        text = f"[{day.isoformat()}..{min(end, LAST_DAY).isoformat()}]"
    elif pick < 0.995:
        text = f"{day.strftime('%Y-%m')}/.."  # ongoing
    elif pick < 0.9975:
        text = f"../{day.isoformat()}"  # open start
    elif pick < 0.9985:
        text = f"{str(day.year)[:3]}X"  # a decade
    else:
        text = f"{day.year}/{min(day.year + rng.randint(1, 3), LAST_DAY.year)}"
    roll = rng.random()
    if roll < 0.85:
        return text, "stated", None
    if roll < 0.95:
        return text, "inferred", "Bounded by the publication dates of the articles that report it."
    return text, "resolved", "A relative expression in the article, resolved against its publication date."


def _zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


def _entities(rng: random.Random, n_entities: int, n_publishers: int, path: Path) -> list[Entity]:
    entities: list[Entity] = []
    for i in range(n_publishers):
        label = f"The {_CITIES[i % len(_CITIES)]} {_OUTLETS[i % len(_OUTLETS)]}"
        if i >= len(_CITIES):
            label += f" {i // len(_CITIES) + 1}"
        entities.append(Entity(f"outlet-{i:03d}", "news-organization", label, path, 0,
                               description=f"A synthetic news organisation (number {i})."))
    kinds = [k for k, _, _ in _KINDS]
    weights = [w for _, _, w in _KINDS]
    counters: dict[str, int] = {}
    for _ in range(n_entities):
        kind = rng.choices(kinds, weights)[0]
        prefix = next(p for k, p, _ in _KINDS if k == kind)
        number = counters[kind] = counters.get(kind, -1) + 1
        ident = f"{prefix}-{number:05d}"
        word, city = rng.choice(_WORDS), rng.choice(_CITIES)
        label = {
            "person": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
            "company": f"{word} {rng.choice(['Systems', 'Labs', 'Technologies', 'Analytics', 'Cloud'])}",
            "government-agency": f"{city} Department of {rng.choice(['Homeland Security', 'Justice', 'Transport'])}",
            "police-department": f"{city} Police Department",
            "advocacy-group": f"{word} Civil Liberties Union",
            "research-group": f"{city} Institute of Technology",
            "legislature": f"{city} City Council",
            "group": f"{word} employees",
            "product": f"{word}Vision",
            "technology": rng.choice(["facial recognition", "licence plate reading", "predictive policing",
                                      "emotion detection", "voice identification"]),
            "project": f"Project {word}",
            "place": city,
            "report": f"{word} audit report",
            "letter": f"Open letter on {rng.choice(['surveillance', 'face recognition', 'privacy'])}",
        }[kind] + f" ({number})"
        aliases = [f"{word[:2].upper()}{kind[:1].upper()}{number}"] if kind in (
            "company", "government-agency", "advocacy-group") and rng.random() < 0.5 else []
        entities.append(Entity(ident, kind, label, path, 0, aliases=aliases,
                               description=f"A synthetic {kind.replace('-', ' ')} (number {number})."))
    organizations = [e.id for e in entities if e.type in ("company", "government-agency", "police-department",
                                                         "advocacy-group", "research-group", "legislature",
                                                         "news-organization")]
    companies = [e.id for e in entities if e.type == "company"]
    places = [e.id for e in entities if e.type == "place"]
    for e in entities:
        if e.type == "person" and organizations and rng.random() < 0.6:
            e.member_of = [rng.choice(organizations)]
            e.position = rng.choice(["spokesperson", "director", "chief executive", "researcher", "officer"])
        elif e.type == "product" and companies:
            e.made_by = rng.choice(companies)
        elif e.type == "police-department" and places and rng.random() < 0.7:
            e.located_in = rng.choice(places)
        elif e.type == "company" and rng.random() < 0.15:
            earlier = [c for c in companies if c < e.id]
            if earlier:
                e.parent = rng.choice(earlier)
    return entities


def _quote(rng: random.Random, ev: Event, labels: dict[str, str], n: int, j: int) -> str:
    actors = [labels[p.entity] for p in ev.participants]
    verb = _VERBS.get(ev.types[0], "was involved with")
    others = ", ".join(actors[1:3]) or "officials"
    when = ev.date.label if ev.date else "recently"
    opener = rng.choice(["According to records,", "People familiar with the matter said", "Documents show",
                         "In a statement,", "Reporting confirmed that"])
    return f"{opener} {actors[0]} {verb} {others} ({when}; ref. {n:06d}-{j})."


def synthetic_case(n_events: int, seed: int = 7, directory: Path | None = None, *, n_entities: int | None = None,
                   n_sources: int | None = None, title: str | None = None) -> Case:
    """The synthetic case as checked model objects: citations carry their offsets.

    ``directory`` is only recorded as the records' path (for messages).
    ``n_entities`` (besides the news organisations) and ``n_sources`` (articles)
    default to sizes that grow with ``n_events``; ``title`` to one that names it.
    """
    if n_events < 1:
        raise ValueError("a synthetic case needs at least one event")
    rng = random.Random(seed)
    vocab = load_vocabularies()
    event_types = sorted(vocab.event_types)
    roles = sorted(vocab.roles)
    role_weights = [6 if r in ("participant", "initiator", "target", "subject") else 2 for r in roles]
    base = Path(directory) if directory is not None else Path(CASE_ID)
    n_sources = max(3, min(300, n_events // 25 + 3)) if n_sources is None else n_sources
    n_entities = max(30, n_events // 8) if n_entities is None else n_entities
    if n_sources < 1 or n_entities < 1:
        raise ValueError("a synthetic case needs at least one source and one entity")
    n_publishers = max(2, min(40, n_sources // 6 + 1))
    entities = _entities(rng, n_entities, n_publishers, base / "entities.csv")
    for line, e in enumerate(entities, start=2):
        e.line = line
    labels = {e.id: e.label for e in entities}
    agents = [e.id for e in entities if e.is_agent and e.type != "news-organization"]
    if not agents:
        raise ValueError(f"{n_entities} entities drew no actor for the events; ask for more entities")
    things = [e.id for e in entities if e.type in ("product", "technology", "project", "report", "letter")]
    places = [e.id for e in entities if e.type == "place"]
    rng.shuffle(agents)  # which actors are the frequent ones is random, not the first created
    agent_cum = list(itertools.accumulate(_zipf_weights(len(agents))))

    case = Case(id=CASE_ID, path=base, title=title or f"Synthetic case of {n_events:,} events",
                description=f"Generated by timeline.testing.cases (seed {seed}) for tests and benchmarks.",
                language="en", base=namespaces.case_base(CASE_ID))
    sources = []
    slot = (LAST_DAY - FIRST_DAY).days / n_sources
    for i in range(n_sources):
        publisher = f"outlet-{i % n_publishers:03d}"
        # One article per stretch of the period, the last on its last day, so that every event has articles
        # published after it that can report it.
        offset = (i + 1) * slot if i == n_sources - 1 else i * slot + rng.random() * slot
        day = FIRST_DAY + timedelta(days=int(offset))
        sources.append({"id": f"article-{i:04d}", "publisher": publisher, "published": day.isoformat(),
                        "title": f"Synthetic report {i} on surveillance technology", "quotes": []})
    span_days = (LAST_DAY - FIRST_DAY).days
    # Articles in publication order: an event is cited by a few of the first articles published once it could
    # have begun, as in real coverage (an earlier one would rightly get "reported before it happened?").
    by_day = sorted(range(n_sources), key=lambda i: sources[i]["published"])
    days = [sources[i]["published"] for i in by_day]
    window = max(3, n_sources // 4)
    events_path = base / "events.csv"
    line = 2
    for n in range(n_events):
        day = FIRST_DAY + timedelta(days=rng.randint(0, span_days))
        edtf, basis, note = _edtf(rng, day)
        k = rng.choices([1, 2, 3, 4, 5, 6, 8], [30, 34, 17, 9, 5, 3, 2])[0]
        chosen: list[str] = []
        while len(chosen) < min(k, len(agents)):
            a = rng.choices(agents, cum_weights=agent_cum)[0]
            if a not in chosen:
                chosen.append(a)
        participants = [Participant(a, rng.choices(roles, role_weights)[0], line) for a in chosen]
        if things and rng.random() < 0.25:
            thing = rng.choice(things)
            participants.append(Participant(thing, rng.choice(["product", "subject"]), line))
        types = [rng.choice(event_types)]
        if rng.random() < 0.2:
            second = rng.choice(event_types)
            if second != types[0]:
                types.append(second)
        ident = f"event-{n:06d}"
        first = labels[chosen[0]]
        ev = Event(id=ident, path=events_path, line=line, types=types,
                   label=f"{first}: {types[0].replace('-', ' ')} ({n})",
                   description=f"{first} {_VERBS.get(types[0], 'was involved with')} "
                               f"{', '.join(labels[a] for a in chosen[1:3]) or 'officials'}.",
                   date=parse_edtf(edtf), date_basis=basis, date_note=note,
                   place=rng.choice(places) if places and rng.random() < 0.15 else None,
                   participants=participants)
        n_cites = rng.choices([1, 2, 3], [55, 30, 15])[0]
        begins = ev.date.earliest_begin
        after = bisect.bisect_left(days, begins.isoformat()) if begins else 0
        later = by_day[after:after + window]
        cited = rng.sample(later if len(later) >= n_cites else by_day[-n_cites:], min(n_cites, n_sources))
        for j, s in enumerate(sorted(cited), start=1):
            quote = _quote(rng, ev, labels, n, j)
            ev.citations.append(Citation(sources[s]["id"], quote, line + j - 1))
            sources[s]["quotes"].append((ev, len(ev.citations) - 1))
        ev.field_lines = {"date": line, "participants": line}
        line += len(ev.citations)
        case.events[ident] = ev
    for e in entities:
        case.entities[e.id] = e
    for meta in sources:
        text, offsets = _article_text(rng, meta)
        for (ev, index), start in zip(meta["quotes"], offsets, strict=True):
            citation = ev.citations[index]
            citation.start, citation.end = start, start + len(citation.quote)
        published = parse_edtf(meta["published"])
        case.sources[meta["id"]] = Source(
            id=meta["id"], path=base / "articles" / f"{meta['id']}.md", line=2, title=meta["title"], text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), language="en", published=published,
            publisher=meta["publisher"], url=f"https://news.example.org/{meta['publisher']}/{meta['id']}")
    return case


def _article_text(rng: random.Random, meta: dict) -> tuple[str, list[int]]:
    """An article body holding every quote once, with filler between them; the quotes' offsets."""
    parts = [f"{meta['title']}.\n\n"]
    size = len(parts[0])
    offsets = []
    for i, (ev, index) in enumerate(meta["quotes"]):
        if i and i % 4 == 0:
            parts.append("\n\n")
            size += 2
        offsets.append(size)
        quote = ev.citations[index].quote
        parts.append(quote)
        size += len(quote)
        filler = " " + rng.choice(_FILLER) + " "
        parts.append(filler)
        size += len(filler)
    parts.append("\n\nThis article was generated for testing.\n")
    return "".join(parts), offsets


# ------------------------------------------------------------------ writing the case


def write_synthetic_case(directory: Path, n_events: int, seed: int = 7, *, n_entities: int | None = None,
                         n_sources: int | None = None, title: str | None = None) -> Path:
    """Write a complete, valid synthetic case to ``directory`` (new or empty); returns it.

    Layout: ``case.yaml``, ``articles/<id>.md``, ``entities.csv``, ``events.csv``
    (read it with :func:`timeline.case.tables.load_case_with_csv`). The same
    arguments always give the same bytes; the sizes are as for :func:`synthetic_case`.
    """
    import yaml

    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory}: not empty; a synthetic case is written into a new or empty directory")
    case = synthetic_case(n_events, seed, directory, n_entities=n_entities, n_sources=n_sources, title=title)
    (directory / "articles").mkdir(parents=True, exist_ok=True)
    meta = {"id": case.id, "title": case.title, "description": case.description, "language": case.language}
    (directory / "case.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
                                         encoding="utf-8")
    for s in case.sources.values():
        front = {"id": s.id, "title": s.title, "publisher": s.publisher, "published": s.published.edtf,
                 "language": s.language, "url": s.url, "sha256": s.sha256}
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + s.text
        (directory / "articles" / f"{s.id}.md").write_text(text, encoding="utf-8", newline="\n")
    write_entities_csv(case.entities.values(), directory / "entities.csv")
    write_events_csv(case.events.values(), directory / "events.csv")
    return directory


def synthetic_nquads(n_events: int, seed: int = 7, *, n_entities: int | None = None, n_sources: int | None = None,
                     title: str | None = None) -> bytes:
    """The built graph of ``write_synthetic_case(dir, n_events, seed, ...)``, without writing the case to disk."""
    return case_nquads(synthetic_case(n_events, seed, n_entities=n_entities, n_sources=n_sources, title=title))
