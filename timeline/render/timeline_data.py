"""The compact data of a large timeline page: columns, shared string tables, gzip, base64.

A page of 100,000 events cannot carry the view as :meth:`View.to_json` writes it
(145 MB: every participant, source title and quote spelled out per event).
:func:`compact_data` writes the same information column by column: one array
per field, aligned with the events in date order; strings that repeat (date
labels, EDTF, places, type labels, roles, entities, sources) once in a table
and referred to by index. The JSON is then gzipped (``mtime=0``: the same view
gives the same bytes) and base64-encoded, so it sits in the page as one JSON
string, in parts (:func:`pack_parts`): what the first view needs, then the rest
in chunks. The page's script (``web/timeline.js``, ``inflate``) inflates them
with the browser's own ``DecompressionStream``: no request, no library.

Layout, version 1 (``i`` an index into ``strings``, ``""`` being index 0):

* ``ids``, ``labels``, ``descriptions``: one string per event;
* ``start``: days since 1970-01-01 of the drawn start; ``length``: days drawn
  (0 for a point); ``flags``: :data:`FLAGS` bits;
* ``dateLabel``, ``edtf``, ``datetime``, ``unit``, ``basis``, ``note``,
  ``place``, ``marker``: ``i`` per event;
* ``types``: per event a list of indexes into ``typeIds``/``typeLabels``;
* ``actors``: per event a flat list ``[entity, role i, ...]``, entity an index
  into ``entities`` (rows ``[id, label, kind, kind_label, description,
  aliases, wikidata, member_of]``);
* ``lanes``: per event the indexes of its lanes in the page's configuration
  (absent without lanes);
* ``cites``: per event a flat list ``[source, quote, ...]``, source an index
  into ``sources`` (rows ``[id, title, publisher, published, url]``,
  one per distinct citation metadata; a quote's offset in its source is left out: the page
  does not show it);
* ``claims``: per event a list of claim ids; ``claimTable`` the claims as
  :meth:`View.to_json` writes them; ``media``: event index to its media;
* ``caseTitle``, ``filters``, ``sourceTable``: as in :meth:`View.to_json`.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import asdict
from datetime import date

from timeline.views.model import View

VERSION = 1
#: ``flags`` bits: a range (else a point), approximate, uncertain, open end, open start.
FLAGS = {"range": 1, "approximate": 2, "uncertain": 4, "open_end": 8, "open_start": 16}
EPOCH = date(1970, 1, 1)


class _Table:
    """Strings (or rows) numbered in order of first use."""

    def __init__(self, first: object = None):
        self.index: dict[object, int] = {}
        self.rows: list[object] = []
        if first is not None:
            self(first)

    def __call__(self, value: object) -> int:
        key = tuple(value) if isinstance(value, list) else value
        if key not in self.index:
            self.index[key] = len(self.rows)
            self.rows.append(value)
        return self.index[key]


def _days(iso: str) -> int:
    return (date.fromisoformat(iso) - EPOCH).days


def _flags(geo: dict, approximate: bool, uncertain: bool) -> int:
    return ((FLAGS["range"] if geo["kind"] == "range" else 0) | (FLAGS["approximate"] if approximate else 0)
            | (FLAGS["uncertain"] if uncertain else 0) | (FLAGS["open_end"] if geo["open"] == "end" else 0)
            | (FLAGS["open_start"] if geo["open"] == "start" else 0))


def compact_data(view: View, geos: list[dict], lane_ids: list[str] | None) -> dict[str, object]:
    """The columns of ``view`` (layout: module docstring). ``geos``: each event's drawn extent, lanes, marker and
    datetime (``timeline.config``'s ``events``); ``lane_ids``: the page's lanes in order, None without lanes."""
    strings = _Table("")
    types = _Table()
    type_labels: dict[int, str] = {}
    entities = _Table()
    entity_rows: list[list[object]] = []
    sources = _Table()
    lane_index = {lane: k for k, lane in enumerate(lane_ids or [])}
    for entity in view.entities.values():
        _entity(entities, entity_rows, entity.id, asdict(entity))
    cols: dict[str, list] = {k: [] for k in ("ids", "labels", "descriptions", "start", "length", "flags",
                                              "dateLabel", "edtf", "datetime", "unit", "basis", "note", "place",
                                              "marker", "types", "actors", "cites", "claims", "lanes")}
    media: dict[str, object] = {}
    for i, (event, geo) in enumerate(zip(view.events, geos, strict=True)):
        start = _days(geo["start"])
        cols["ids"].append(event.id)
        cols["labels"].append(event.label)
        cols["descriptions"].append(event.description)
        cols["start"].append(start)
        cols["length"].append(_days(geo["end"]) - start if geo["end"] else 0)
        cols["flags"].append(_flags(geo, event.approximate, event.uncertain))
        for key, value in (("dateLabel", event.date_label), ("edtf", event.edtf), ("datetime", geo["datetime"]),
                           ("unit", event.unit), ("basis", event.basis), ("note", event.date_note),
                           ("place", event.place), ("marker", geo["marker"])):
            cols[key].append(strings(value))
        row = []
        for type_id, label in zip(event.types, event.type_labels + [""] * len(event.types), strict=False):
            k = types(type_id)
            type_labels.setdefault(k, label)
            row.append(k)
        cols["types"].append(row)
        actors: list[int] = []
        for p in event.participants:
            k = _entity(entities, entity_rows, p.id, {"label": p.label, "kind": p.kind, "kind_label": ""})
            actors += [k, strings(p.role)]
        cols["actors"].append(actors)
        cites: list[object] = []
        for c in event.citations:
            cites += [sources([c.source, c.title, c.publisher, c.published, c.url]), c.quote]
        cols["cites"].append(cites)
        cols["claims"].append(list(event.claims))
        if lane_ids is not None:
            cols["lanes"].append([lane_index[lane] for lane in geo["lanes"]])
        if event.media is not None:
            media[str(i)] = asdict(event.media)
    if lane_ids is None:
        del cols["lanes"]
    return {
        "version": VERSION, "caseTitle": view.case_title, "filters": view.filters, **cols,
        "strings": strings.rows, "typeIds": types.rows, "typeLabels": [type_labels[k] for k in range(len(types.rows))],
        "entities": entity_rows, "sources": sources.rows, "media": media,
        "claimTable": {k: asdict(v) for k, v in sorted(view.claims.items())},
        "sourceTable": {k: asdict(v) for k, v in sorted(view.sources.items())},
    }


def _entity(table: _Table, rows: list[list[object]], entity_id: str, fields: dict) -> int:
    """The index of ``entity_id`` in the entity table, adding its row on first sight."""
    k = table(entity_id)
    if k == len(rows):
        rows.append([entity_id, fields.get("label", ""), fields.get("kind", ""), fields.get("kind_label", ""),
                     fields.get("description", ""), fields.get("aliases", []), fields.get("wikidata"),
                     fields.get("member_of", [])])
    return k


#: The columns the page needs to draw its first view (the bars): inflated before it is ready.
CORE = ("start", "length", "flags", "lanes", "version")
#: Per-event columns, inflated after the page is ready, :data:`CHUNK` events at a time (the page stays
#: responsive between chunks).
PER_EVENT = ("ids", "labels", "descriptions", "dateLabel", "edtf", "datetime", "unit", "basis", "note", "place",
             "marker", "types", "actors", "cites", "claims")
CHUNK = 5_000


def pack_parts(data: dict[str, object]) -> dict[str, object]:
    """``data`` in packed parts: ``core`` (:data:`CORE`), ``tables`` (the rest but :data:`PER_EVENT`) and
    ``chunks``, each the per-event columns of :data:`CHUNK` consecutive events."""
    n = len(data["start"])
    tables = {k: v for k, v in data.items() if k not in CORE and k not in PER_EVENT}
    return {
        "core": pack({k: data[k] for k in CORE if k in data}),
        "tables": pack(tables),
        "chunks": [pack({k: data[k][at:at + CHUNK] for k in PER_EVENT}) for at in range(0, n, CHUNK)],
    }


def pack(data: dict[str, object]) -> str:
    """``data`` as JSON, gzipped (deterministic: no timestamp) and base64-encoded: ASCII with no '<', '>', '&'."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")
