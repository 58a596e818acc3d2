"""Any SELECT result as a timeline or a graph, like the Wikidata Query Service's result views.

Column conventions (a ``?`` column name, case-insensitive):

Timeline
  ``?item``         the row's subject; if it is an event of the case, the page shows that event in full
                    (participants, claims, citations). Default: the first IRI column.
  ``?label``        the item's title. Default: ``?itemLabel``, else the first text column, else the IRI.
  ``?start``        a date (xsd:date, xsd:dateTime, xsd:gYear, xsd:gYearMonth, or EDTF text such as
                    ``2018-06``). Default: the first column holding a date.
  ``?end``          optional end of a range; ``?start``'s precision decides the range otherwise
                    (``2018-06`` spans June).
  ``?group``        the lane (a label or IRI).  ``?description``: the detail text.
  Without a date column, an item that is an event of the case keeps the event's own dates.
  Rows without a readable date are left out and counted.

Graph
  Every IRI column is a node; each row links its IRI columns in column order (first -> second -> ...).
  ``?xLabel`` labels the node in column ``?x``; otherwise the case's label, else the IRI's last segment.
  ``?relation`` (or ``?edgeLabel``) names the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from timeline import namespaces
from timeline.case.dates import EdtfError, parse_edtf
from timeline.errors import TimelineError
from timeline.query.results import QueryResult, Term
from timeline.views.model import EntityView, EventView, Participant, View
from timeline.views.model import _local as _last_segment

XSD = namespaces.XSD
DATE_TYPES = {XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp")}


@dataclass
class Converted:
    view: View
    skipped: int  # rows left out (no readable date, or no IRI to link)


def _column(result: QueryResult, *names: str) -> str | None:
    lowered = {v.lower(): v for v in result.variables}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _edtf_of(term: Term | None) -> str | None:
    """An EDTF string for a date-like term, or None."""
    if term is None or term.kind != "literal":
        return None
    value = term.value.strip()
    if term.datatype in DATE_TYPES:
        value = value[:10] if term.datatype.endswith(("dateTime", "dateTimeStamp")) else value
        value = re.sub(r"(Z|[+-]\d\d:\d\d)$", "", value)
    try:
        return parse_edtf(value).edtf
    except EdtfError:
        return None


def _local(iri: str) -> str:
    return _last_segment(iri) or iri


def _view_error(kind: str, detail: str) -> TimelineError:
    """``a timeline view needs ...``: the command line says ``--view timeline needs ...``."""
    said = f"a {kind} view"
    return TimelineError(f"{said} {detail}", param="view", said=said, value=kind)


def to_timeline_view(result: QueryResult, case: View, title: str) -> Converted:
    if result.form != "SELECT":
        raise _view_error("timeline", "needs a SELECT query")
    item_col = _column(result, "item") or next(
        (v for v in result.variables if any(r.get(v) and r[v].kind == "uri" for r in result.rows)), None)
    label_col = _column(result, "label", "itemLabel")
    start_col = _column(result, "start") or next(
        (v for v in result.variables if any(_edtf_of(r.get(v)) for r in result.rows)), None)
    end_col, group_col, desc_col = _column(result, "end"), _column(result, "group"), _column(result, "description")
    by_id = {e.id: e for e in case.events}
    if start_col is None and not any(item_col and r.get(item_col) and _local(r[item_col].value) in by_id
                                     for r in result.rows):
        raise _view_error("timeline", "needs a date column (name it ?start) or events of the case as items")
    events, skipped, used = [], 0, set()
    for n, row in enumerate(result.rows, start=1):
        item = row.get(item_col) if item_col else None
        item_id = _local(item.value) if item is not None and item.kind == "uri" else f"row-{n}"
        known = by_id.get(item_id)
        start = _edtf_of(row.get(start_col)) if start_col else None
        end = _edtf_of(row.get(end_col)) if end_col else None
        if start is None and known is not None:  # an event of the case keeps its own dates
            start, end = known.edtf, None
        if start is None:
            skipped += 1
            continue
        simple = not end or end == start or "/" in start or start.startswith("[") or "/" in end
        try:
            span = parse_edtf(start if simple else f"{start}/{end}")
        except EdtfError:  # e.g. an end before its start
            skipped += 1
            continue
        label = (row[label_col].value if label_col and label_col in row else
                 known.label if known else next((row[v].value for v in result.variables
                                                 if v in row and row[v].kind == "literal"
                                                 and v not in (start_col, end_col)), item_id))
        group = row.get(group_col) if group_col else None
        group_label = (case.entities[_local(group.value)].label if group is not None and group.kind == "uri"
                       and _local(group.value) in case.entities else group.value if group is not None else "")
        base = known or EventView(item_id, label, "", span.edtf, span.label, "", None, None, None, None,
                                  span.unit, span.approximate, span.uncertain)
        event_id = item_id if item_id not in used else f"{item_id}-{n}"  # one item per row
        used.add(event_id)
        event = replace(
            base, id=event_id,
            label=label, edtf=span.edtf, date_label=span.label, sort=span.sort_date.isoformat(),
            earliest_begin=_iso(span.earliest_begin), latest_begin=_iso(span.latest_begin),
            earliest_end=_iso(span.earliest_end), latest_end=_iso(span.latest_end), unit=span.unit,
            approximate=span.approximate, uncertain=span.uncertain,
            description=row[desc_col].value if desc_col and desc_col in row else base.description,
            types=[_slug(group_label)] if group_label else list(base.types),
            type_labels=[group_label] if group_label else list(base.type_labels))
        events.append(event)
    events.sort(key=lambda e: (e.sort, e.id))
    return Converted(View(title, events, case.claims, case.entities, case.sources), skipped)


def to_graph_view(result: QueryResult, case: View, title: str) -> Converted:
    if result.form != "SELECT":
        raise _view_error("graph", "needs a SELECT query")
    iri_cols = [v for v in result.variables if any(r.get(v) is not None and r[v].kind == "uri" for r in result.rows)]
    if not iri_cols:
        raise _view_error("graph", "needs at least one column of IRIs (nodes)")
    relation_col = _column(result, "relation", "edgeLabel")
    label_cols = {col: _column(result, f"{col}Label") for col in iri_cols}
    entities: dict[str, EntityView] = {}
    events, skipped = [], 0
    for n, row in enumerate(result.rows, start=1):
        nodes = []
        for col in iri_cols:
            term = row.get(col)
            if term is None or term.kind != "uri":
                continue
            node_id = _local(term.value)
            label_col = label_cols[col]
            known = case.entities.get(node_id)
            label = row[label_col].value if label_col and label_col in row else known.label if known else node_id
            entities.setdefault(node_id, known or EntityView(node_id, label, "Thing", "resource", term.value))
            nodes.append(node_id)
        if not nodes:
            skipped += 1
            continue
        relation = row[relation_col].value if relation_col and relation_col in row else "row"
        chain = list(dict.fromkeys(nodes))
        if len(chain) == 1:  # a lone node still appears
            x = chain[0]
            events.append(EventView(f"row-{n}", f"Row {n}", "", "", "", "", None, None, None, None, "day", False,
                                    False, participants=[Participant(x, entities[x].label, "initiator",
                                                                     entities[x].kind)]))
        for k, (a, b) in enumerate(zip(chain, chain[1:], strict=False), start=1):  # first -> second -> ...
            participants = [Participant(a, entities[a].label, "initiator", entities[a].kind),
                            Participant(b, entities[b].label, "target", entities[b].kind)]
            events.append(EventView(f"row-{n}-{k}", f"Row {n}: {relation}", "", "", "", "", None, None, None,
                                    None, "day", False, False, types=[_slug(relation)], type_labels=[relation],
                                    participants=participants))
    return Converted(View(title, events, {}, entities, {}), skipped)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "group"


def _iso(value) -> str | None:
    return value.isoformat() if value else None
