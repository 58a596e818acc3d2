"""Entity profiles and case statistics, read from a :class:`~timeline.views.model.View`.

:func:`entity_profile` gathers what the graph says about one entity; :func:`stats`
counts the case. Both return plain, JSON-serialisable dicts in a deterministic order.
"""

from __future__ import annotations

from collections import Counter

from timeline.namespaces import wikidata_id
from timeline.views.model import ClaimView, View, resolve_entity
from timeline.views.network import centrality, coparticipation_graph, relation_graph

WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
TOP_ACTORS = 10


def _named(view: View, ids) -> list[dict[str, str]]:
    return [{"id": i, "label": view.entities[i].label if i in view.entities else i} for i in ids]


def _claim(claim: ClaimView) -> dict:
    return {"id": claim.id, "text": claim.text, "stance": claim.stance, "claimant": claim.claimant,
            "claimant_label": claim.claimant_label, "on_behalf_of": claim.on_behalf_of, "date": claim.date,
            "about": list(claim.about), "sources": sorted({c.source for c in claim.citations})}


def entity_profile(view: View, name: str) -> dict:
    """Everything the view says about one entity (resolved with :func:`resolve_entity`), as a JSON-ready dict.

    Keys: ``id``, ``label``, ``kind``, ``kind_label``, ``aliases``, ``description``, ``wikidata`` (``Q…`` or
    None), ``wikidata_url``, ``member_of`` and ``members`` (``[{id, label}]``), ``events`` (date order:
    ``{id, label, date, edtf, sort, roles, types}``, ``date`` as written), ``relations`` (``{"out": [...],
    "in": [...]}``, each ``{entity, label, relation, event, event_label, date, role, other_role}``),
    ``claims_made`` (claimant or on whose behalf), ``claims_about``, ``sources`` (``[{id, title, publisher,
    published, url}]`` citing its events or those claims).
    """
    entity = resolve_entity(view, name)
    eid = entity.id
    wikidata = wikidata_id(entity.wikidata)
    by_event = {e.id: e for e in view.events}
    order = {e.id: i for i, e in enumerate(view.events)}

    events = []
    for ev in view.events:
        roles = []
        for p in ev.participants:
            if p.id == eid and p.role not in roles:
                roles.append(p.role)
        if roles:
            events.append({"id": ev.id, "label": ev.label, "date": ev.date_label, "edtf": ev.edtf, "sort": ev.sort,
                           "roles": roles, "types": list(ev.types)})

    graph = relation_graph(view)
    relations: dict[str, list[dict]] = {"out": [], "in": []}
    if eid in graph:
        for direction, edges in (("out", graph.out_edges(eid, data=True)), ("in", graph.in_edges(eid, data=True))):
            for u, v, data in edges:
                other = v if direction == "out" else u
                event = by_event.get(data["event"])
                relations[direction].append({
                    "entity": other, "label": graph.nodes[other].get("label", other),
                    "relation": data["relation"], "event": data["event"],
                    "event_label": event.label if event else "", "date": data.get("date_label", ""),
                    "role": data["fromRole"] if direction == "out" else data["toRole"],
                    "other_role": data["toRole"] if direction == "out" else data["fromRole"]})
        for items in relations.values():
            items.sort(key=lambda r: (r["event"] == "", order.get(r["event"], -1), r["event"], r["entity"],
                                      r["role"], r["other_role"]))

    claims = sorted(view.claims.values(), key=lambda c: c.id)
    made = [c for c in claims if eid in (c.claimant, c.on_behalf_of)]
    about = [c for c in claims if eid in c.about]
    cited = {c.source for e in events for c in by_event[e["id"]].citations}
    cited |= {c.source for claim in made + about for c in claim.citations}

    return {
        "id": eid, "label": entity.label, "kind": entity.kind, "kind_label": entity.kind_label,
        "aliases": list(entity.aliases), "description": entity.description or "",
        "wikidata": wikidata, "wikidata_url": WIKIDATA_PAGE + wikidata if wikidata else None,
        "member_of": _named(view, entity.member_of),
        "members": _named(view, sorted(e.id for e in view.entities.values() if eid in e.member_of)),
        "events": events,
        "relations": relations,
        "claims_made": [_claim(c) for c in made],
        "claims_about": [_claim(c) for c in about],
        "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher, "published": s.published,
                     "url": s.url} for s in (view.sources[i] for i in sorted(cited) if i in view.sources)],
    }


def stats(view: View, top: int = TOP_ACTORS) -> dict:
    """Counts for the whole view, as a JSON-ready dict with sorted keys where order is not meaningful.

    ``totals`` (events, entities, claims, sources, citations), ``entities_by_kind``, ``events_by_type`` (an
    event of two types counts for both), ``events_per_year`` (year of the sort date), ``sources`` (per source
    ``{events, claims, citations}``: events and claims citing it, and its quotes among them),
    ``sources_per_event`` (``{"0", "1", "2", "3+"}``: events by number of distinct sources; sums to the
    events), ``central_actors`` (the ``top`` rows of co-participation centrality). Entities, claims and sources
    are the view's, which :func:`~timeline.views.model.load_view` does not filter; events are.
    """
    def ordered(counter: Counter) -> dict[str, int]:
        return {k: counter[k] for k in sorted(counter)}

    per_source = {s: {"events": 0, "claims": 0, "citations": 0} for s in sorted(view.sources)}

    def count(source: str, what: str) -> None:
        per_source.setdefault(source, {"events": 0, "claims": 0, "citations": 0})[what] += 1

    histogram = {"0": 0, "1": 0, "2": 0, "3+": 0}
    for event in view.events:
        for source in event.sources:
            count(source, "events")
        for citation in event.citations:
            count(citation.source, "citations")
        n = len(event.sources)
        histogram["3+" if n >= 3 else str(n)] += 1
    for claim in view.claims.values():
        for source in sorted({c.source for c in claim.citations}):
            count(source, "claims")
        for citation in claim.citations:
            count(citation.source, "citations")

    citations = sum(len(e.citations) for e in view.events) + sum(len(c.citations) for c in view.claims.values())
    return {
        "case_title": view.case_title,
        "totals": {"events": len(view.events), "entities": len(view.entities), "claims": len(view.claims),
                   "sources": len(view.sources), "citations": citations},
        "entities_by_kind": ordered(Counter(e.kind for e in view.entities.values())),
        "events_by_type": ordered(Counter(t for e in view.events for t in e.types)),
        "events_per_year": ordered(Counter(e.sort[:4] for e in view.events if e.sort)),
        "sources": {k: per_source[k] for k in sorted(per_source)},
        "sources_per_event": histogram,
        "central_actors": centrality(coparticipation_graph(view))[:top],
    }
