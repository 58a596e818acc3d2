"""Synthetic views for render tests and benchmarks: seeded, deterministic, realistic shapes.

``synthetic_view(5000)`` gives 5,000 events over 2015–2021 with a few actors
per event (drawn with a long tail, as in news coverage), mixed date
precisions (day, month, year, intervals, open ends, approximate and
uncertain dates), event types, claims and citations from a pool of sources.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from timeline.case.dates import parse_edtf
from timeline.views.model import Citation, ClaimView, EntityView, EventView, Participant, SourceView, View

TYPES = ["meeting", "pitch", "report", "letter", "statement", "announcement", "moratorium", "policy-change",
         "study", "test", "deployment", "contract", "protest", "interview"]
KINDS = ["Company", "GovernmentAgency", "PoliceDepartment", "AdvocacyGroup", "ResearchGroup", "Person",
         "NewsOrganization", "Product"]
ROLES = ["initiator", "target", "participant", "author", "recipient", "vendor", "customer", "subject"]


def _edtf(rng: random.Random, day: date) -> str:
    pick = rng.random()
    if pick < 0.45:
        return day.isoformat()
    if pick < 0.70:
        return day.strftime("%Y-%m")
    if pick < 0.78:
        return str(day.year)
    if pick < 0.88:
        end = day + timedelta(days=rng.randint(10, 400))
        return f"{day.isoformat()}/{end.strftime('%Y-%m')}"
    if pick < 0.92:
        return f"{day.year}/.."
    if pick < 0.96:
        return f"{day.strftime('%Y-%m')}~"
    return f"{day.year}?"


def synthetic_view(n_events: int, seed: int = 7, n_entities: int | None = None, n_sources: int | None = None,
                   title: str | None = None) -> View:
    rng = random.Random(seed)
    n_entities = n_entities or max(20, n_events // 5)
    n_sources = n_sources or max(5, n_events // 20)
    entities = {}
    for i in range(n_entities):
        kind = KINDS[i % len(KINDS)]
        entities[f"actor-{i:05d}"] = EntityView(f"actor-{i:05d}", f"Actor {i} ({kind})", kind, kind,
                                                f"Synthetic {kind.lower()} number {i}.", [f"A{i}"])
    sources = {f"source-{i:04d}": SourceView(f"source-{i:04d}", f"Synthetic report {i}", f"Outlet {i % 17}",
                                             f"{1 + i % 28} June 2019", f"https://example.org/news/{i}")
               for i in range(n_sources)}
    weights = [1 / (1 + i) for i in range(n_entities)]  # a few actors appear very often
    ids = list(entities)
    events, claims = [], {}
    start = date(2015, 1, 1)
    for n in range(n_events):
        day = start + timedelta(days=rng.randint(0, 6 * 365))
        span = parse_edtf(_edtf(rng, day))
        actors = sorted(set(rng.choices(ids, weights, k=rng.randint(1, 4))))
        types = sorted(set(rng.sample(TYPES, rng.choice([1, 1, 1, 2]))))
        cites = [Citation(s, f"Quote {n}.{j} from {s}.", 100 * j, sources[s].title, sources[s].publisher,
                          sources[s].published, sources[s].url)
                 for j, s in enumerate(sorted(set(rng.choices(list(sources), k=rng.randint(1, 3)))))]
        event_id = f"event-{n:06d}"
        event = EventView(
            event_id, f"Synthetic event {n}: {types[0]} by {entities[actors[0]].label}",
            f"Description of synthetic event {n}.", span.edtf, span.label, span.sort_date.isoformat(),
            _iso(span.earliest_begin), _iso(span.latest_begin), _iso(span.earliest_end), _iso(span.latest_end),
            span.unit, span.approximate, span.uncertain, "stated", "", "", types, [t.replace("-", " ") for t in types],
            [Participant(a, entities[a].label, ROLES[(k + n) % len(ROLES)], entities[a].kind)
             for k, a in enumerate(actors)],
            cites)
        if rng.random() < 0.2:
            claim_id = f"claim-{n:06d}"
            claims[claim_id] = ClaimView(claim_id, f"Claim about event {n}.", actors[0], entities[actors[0]].label,
                                         rng.choice(["asserts", "denies", "criticises"]), [event_id],
                                         span.label, [], cites[:1])
            event.claims.append(claim_id)
        events.append(event)
    events.sort(key=lambda e: (e.sort, e.id))
    return View(title or f"Synthetic case, {n_events} events", events, claims, entities, sources)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
