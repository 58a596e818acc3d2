"""Exports of a built graph: RDF serialisations, spreadsheets, network files and TimelineJS.

:func:`export` writes one format (see :data:`FORMATS`) and returns the files it wrote. Every file is written
atomically (a temporary file renamed over the target) and byte-for-byte deterministic: the same graph and view
give the same bytes.

RDF formats (the whole graph; a ``view`` and its filters do not apply):

* ``turtle``: every triple of every named graph, merged into one graph, with the project's prefixes and the
  case's ``entity:``, ``event:``, ``claim:`` and ``source:``. **The named graphs are lost**: Turtle
  cannot say which article a triple came from. Use ``trig`` or ``nquads`` to keep provenance; the saved
  queries that read the default (union) graph answer the same on a Turtle re-import, ``source-says`` (which
  asks for named graphs) does not.
* ``trig``: the named graphs kept (one per source article, ``graph/curated``, ``graph/ontology``).
* ``nquads``: one quad per line, lines sorted.
* ``jsonld``: compacted with the project's JSON-LD context (``ontology/context.jsonld``) embedded as the
  ``"@context"`` object, extended with the case's prefixes (``entity:``, ``event:``, ``claim:``, ``source:``,
  ``graph:``, ``mention:``). Named graphs are kept: the top-level ``"@graph"`` lists one node per named graph,
  whose ``"id"`` is the graph's IRI and whose own ``"@graph"`` holds its nodes. Nodes are sorted by ``id`` and
  multi-valued properties by value (RDF has no order there); ``@list`` values keep their order.

Turtle, TriG and N-Quads are written by pyoxigraph from sorted quads (its serialisers keep the input order);
JSON-LD by rdflib, then put in a canonical order. Blank node labels are those of ``graph.nq``.

View formats (the events, entities and filters of a :class:`~timeline.views.model.View`; the whole graph if none
is given):

* ``csv``: two UTF-8 files with a header row next to ``output`` (a zip is not used, so a spreadsheet opens
  them directly): ``<stem>-events.csv``, one row per event in date order (the view's order), and
  ``<stem>-entities.csv``, one row per entity sorted by id. Lists inside a cell are joined with ``"; "``. A
  text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a spreadsheet shows it
  as text instead of running it as a formula. With ``excel=True`` (``--excel``) each file starts with a UTF-8
  byte-order mark: Excel reads a CSV file without one in the system's code page, where the en dash of
  "2015–2020" shows as "â€“". Not the default: most other readers take the mark for part of the first header.
* ``graphml`` / ``gexf``: a projection of the view (``projection``: ``coparticipation``, ``actor-event`` or
  ``relation``) written by :mod:`timeline.views.network`, attributes typed, ``start``/``end`` dates for Gephi.
* ``timelinejs``: Knight Lab TimelineJS 3 JSON (https://timeline.knightlab.com/docs/json-format.html), see
  :func:`to_timelinejs`; :func:`timelinejs_problems` checks a document against the published format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from timeline import namespaces, resources, templating
from timeline.case.dates import EdtfError, SimpleDate, last_day, parse_edtf, parse_simple
from timeline.errors import TimelineError, did_you_mean
from timeline.files import write_atomic
from timeline.htmlsafe import safe_url
from timeline.namespaces import PREFIXES
from timeline.stores import CASE_PREFIXES, GRAPH_FILE, open_store
from timeline.views.model import EventView, MediaView, View, load_view

#: What a slide's image file becomes in the export: a ``data:`` URI, or None when it cannot be read (the CLI
#: passes :func:`timeline.render.media.media_src` for the case directory; export does not import render).
ImageSource = Callable[[MediaView], str | None]

FORMATS = ("turtle", "trig", "nquads", "jsonld", "csv", "graphml", "gexf", "timelinejs")
RDF_FORMATS = ("turtle", "trig", "nquads", "jsonld")
PROJECTIONS = ("coparticipation", "actor-event", "relation")
#: Other names people type for a format; only used to suggest the right one.
_ALIASES = {"ttl": "turtle", "nq": "nquads", "n-quads": "nquads", "json-ld": "jsonld", "json": "jsonld",
            "tsv": "csv", "timeline": "timelinejs", "tljs": "timelinejs", "timeline-js": "timelinejs",
            "nt": "nquads", "ntriples": "nquads"}
#: File extensions, for callers that pick a default output name.
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "jsonld": ".jsonld", "csv": ".csv",
              "graphml": ".graphml", "gexf": ".gexf", "timelinejs": ".json"}

RDF_TYPE = namespaces.RDF_TYPE
TL_CASE = namespaces.tl("Case")
TURTLE_CASE_PREFIXES = ("entity", "event", "claim", "source")

EVENT_COLUMNS = ("id", "label", "types", "edtf", "date_label", "earliest_begin", "latest_begin", "earliest_end",
                 "latest_end", "date_basis", "place", "participants", "sources", "citations", "description")
ENTITY_COLUMNS = ("id", "label", "kind", "aliases", "wikidata", "member_of", "description")


def check_format(fmt: str) -> str:
    """The format name, or a TimelineError with a suggestion."""
    if fmt in FORMATS:
        return fmt
    hint = f" (did you mean {_ALIASES[fmt.lower()]!r}?)" if fmt.lower() in _ALIASES else did_you_mean(fmt, FORMATS)
    raise TimelineError(f"unknown export format {fmt!r}{hint}; choose one of {', '.join(FORMATS)}")


def check_projection(projection: str) -> str:
    if projection in PROJECTIONS:
        return projection
    raise TimelineError(f"unknown projection {projection!r}{did_you_mean(projection, PROJECTIONS)}; "
                        f"choose one of {', '.join(PROJECTIONS)}")


def export(graph_path: Path, fmt: str, output: Path, *, view: View | None = None,
           projection: str = "coparticipation", group_by: str = "auto",
           image_src: ImageSource | None = None, excel: bool = False) -> list[Path]:
    """Write ``graph_path`` (a built ``graph.nq``, or its directory) as ``fmt`` to ``output``.

    Returns the files written (two for ``csv``). ``view`` (filters included) is used by the view formats
    (``csv``, ``graphml``, ``gexf``, ``timelinejs``); without one the whole graph's view is loaded. RDF
    formats always export the whole graph. ``group_by`` and ``image_src`` are for ``timelinejs`` (see
    :func:`to_timelinejs`); ``excel`` is for ``csv`` (see :func:`csv_bytes`).
    Raises :class:`TimelineError` for an unknown format, projection or grouping, ``excel`` with another format
    than ``csv``, a missing graph, or a path that cannot be written.
    """
    check_format(fmt)
    if excel and fmt != "csv":
        raise TimelineError(f"excel=True is for the csv format, not {fmt}", param="excel", said="excel=True")
    if fmt in ("graphml", "gexf"):
        check_projection(projection)
    if fmt == "timelinejs":
        _check_group_by(group_by)
    graph_path = Path(graph_path)
    if graph_path.is_dir():
        graph_path = graph_path / GRAPH_FILE
    output = Path(output)
    if output.is_dir():
        raise TimelineError(f"{output}: is a directory; give a file name for the export")
    if fmt in RDF_FORMATS:
        if not graph_path.exists():
            raise TimelineError(f"{graph_path}: no built graph here; run `timeline build` first")
        quads = read_quads(graph_path)
        return [_write(output, rdf_bytes(quads, fmt))]
    if view is None:
        view = _load_view(graph_path)
    if fmt == "csv":
        events_path = output.with_name(f"{output.stem}-events.csv")
        entities_path = output.with_name(f"{output.stem}-entities.csv")
        data = csv_bytes(view, excel=excel)
        return [_write(events_path, data["events"]), _write(entities_path, data["entities"])]
    if fmt == "timelinejs":
        return [_write(output, timelinejs_bytes(view, group_by=group_by, image_src=image_src))]
    return [_write_network(view, fmt, projection, output)]


def _write(path: Path, data: bytes) -> Path:
    write_atomic(path, data)  # its errors are TimelineErrors naming the path
    return path


def _load_view(graph_path: Path) -> View:
    return load_view(open_store(graph_path))


def _write_network(view: View, fmt: str, projection: str, output: Path) -> Path:
    from timeline.views import network  # networkx: loaded only for the network formats

    build = {"coparticipation": network.coparticipation_graph, "actor-event": network.actor_event_graph,
             "relation": network.relation_graph}[projection]
    writer = network.write_graphml if fmt == "graphml" else network.write_gexf
    writer(build(view), output)  # atomically; its errors are TimelineErrors naming the path
    return output


# ------------------------------------------------------------------ RDF


def read_quads(path: Path) -> list:
    """The quads of an N-Quads file (pyoxigraph terms; blank node labels as in the file)."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError, OSError) as exc:
        raise TimelineError(f"{path}: cannot load the built graph: {exc}") from None  # as open_store says


def _graph_key(quad) -> str:
    import pyoxigraph as ox

    return "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)


def _triple_key(s, p, o) -> tuple:
    # Subjects together (so Turtle groups them), rdf:type first, then the rest by predicate and object.
    return str(s), str(p) != f"<{RDF_TYPE}>", str(p), str(o)


def case_prefixes_of(quads) -> dict[str, str]:
    """``entity:``, ``event:``, ... for the case the quads describe (none if not exactly one tl:Case)."""
    cases = sorted({q.subject.value for q in quads
                    if q.predicate.value == RDF_TYPE and getattr(q.object, "value", None) == TL_CASE
                    and hasattr(q.subject, "value")})
    if len(cases) != 1:
        return {}
    return {name: f"{cases[0]}{name}/" for name in CASE_PREFIXES}


def _used_prefixes(quads, extra: dict[str, str]) -> dict[str, str]:
    import pyoxigraph as ox

    namespaces = {**PREFIXES, **extra}
    iris: set[str] = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in namespaces.items() if any(i.startswith(ns) for i in iris)}


def rdf_bytes(quads: list, fmt: str) -> bytes:
    """Turtle, TriG, N-Quads or JSON-LD of the quads, deterministic."""
    import pyoxigraph as ox

    if fmt == "jsonld":
        return jsonld_bytes(quads)
    if fmt == "nquads":
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        return b"".join(sorted(set(data.splitlines(keepends=True))))
    # Not graph: or mention: here: nearly all their IRIs go on with '/', which a prefixed name must escape.
    case = {k: v for k, v in case_prefixes_of(quads).items() if k in TURTLE_CASE_PREFIXES}
    prefixes = _used_prefixes(quads, case)
    if fmt == "turtle":
        triples = {(q.subject, q.predicate, q.object) for q in quads}
        ordered = [ox.Triple(s, p, o) for s, p, o in sorted(triples, key=lambda t: _triple_key(*t))]
        return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    if fmt == "trig":
        ordered = sorted(set(quads), key=lambda q: (_graph_key(q), *_triple_key(q.subject, q.predicate, q.object)))
        return ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    raise TimelineError(f"{fmt!r} is not an RDF format")  # pragma: no cover - export() checks first


def project_context() -> dict:
    """The ``"@context"`` object of ``ontology/context.jsonld``."""
    path = resources.ontology_dir() / "context.jsonld"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise TimelineError(f"{path}: cannot read the JSON-LD context: {exc}") from None


def jsonld_bytes(quads: list) -> bytes:
    """Compact JSON-LD with the project's context; one node per named graph (see the module docstring)."""
    import pyoxigraph as ox
    from rdflib import BNode, Dataset, Literal, URIRef

    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    context = project_context()
    for name, ns in case_prefixes_of(quads).items():
        context.setdefault(name, ns)
    dataset = Dataset()
    for q in quads:
        graph = None if isinstance(q.graph_name, ox.DefaultGraph) else term(q.graph_name)
        dataset.add((term(q.subject), term(q.predicate), term(q.object), graph))
    try:
        text = dataset.serialize(format="json-ld", context=context, auto_compact=True)
    except Exception as exc:  # rdflib raises many kinds
        raise TimelineError(f"cannot write JSON-LD: {exc}") from None
    doc = _canonical(json.loads(text))
    doc["@context"] = context  # as given, not re-sorted: the project's context keeps its own order
    ordered = {"@context": doc.pop("@context"), **doc}
    return (json.dumps(ordered, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _canonical(value, key: str = ""):
    """Sort what RDF leaves unordered: node lists by id, multi-valued properties by value; not @list."""
    if isinstance(value, dict):
        return {k: (v if k == "@context" else _canonical(v, k)) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=_sort_key)
    return value


def _sort_key(value) -> tuple:
    if isinstance(value, dict):
        ident = value.get("id", value.get("@id", ""))
        return 0, str(ident), json.dumps(value, ensure_ascii=False, sort_keys=True)
    return 1, "", json.dumps(value, ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------ CSV
# A spreadsheet for analysts, read from the built graph: the date bounds, the date as a reader says it,
# counts, and cells a spreadsheet will not run as formulas. It is not the case's own CSV format
# (timeline.case.tables, one row per citation with its quote), which is for writing and importing records.


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: object) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    value = "" if text is None else str(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _sheet_events(view: View) -> list[dict[str, str]]:
    rows = []
    for e in view.events:
        rows.append({
            "id": e.id, "label": _cell(e.label), "types": "; ".join(e.types), "edtf": e.edtf,
            "date_label": _cell(e.date_label), "earliest_begin": e.earliest_begin or "",
            "latest_begin": e.latest_begin or "", "earliest_end": e.earliest_end or "",
            "latest_end": e.latest_end or "", "date_basis": e.basis, "place": _cell(e.place),
            "participants": "; ".join(f"{p.id}:{p.role}" for p in e.participants),
            "sources": "; ".join(e.sources), "citations": str(len(e.citations)),
            "description": _cell(e.description),
        })
    return rows


def _sheet_entities(view: View) -> list[dict[str, str]]:
    return [{"id": x.id, "label": _cell(x.label), "kind": x.kind, "aliases": _cell("; ".join(x.aliases)),
             "wikidata": x.wikidata or "", "member_of": "; ".join(x.member_of), "description": _cell(x.description)}
            for x in sorted(view.entities.values(), key=lambda x: x.id)]


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def csv_bytes(view: View, *, excel: bool = False) -> dict[str, bytes]:
    """``{"events": ..., "entities": ...}``: the two CSV files (RFC 4180, UTF-8, header row).

    ``excel``: start each file with the UTF-8 byte-order mark, which tells Excel the file is UTF-8.
    """
    encoding = "utf-8-sig" if excel else "utf-8"
    return {"events": _csv(EVENT_COLUMNS, _sheet_events(view), encoding),
            "entities": _csv(ENTITY_COLUMNS, _sheet_entities(view), encoding)}


# ------------------------------------------------------------------ TimelineJS


#: How slides are grouped into the rows of the player's navigation: ``auto`` chooses (see :func:`timelinejs_grouping`).
GROUP_BY = ("auto", "type", "actor", "none")
#: The most groups (rows of the navigation, an ungrouped row included) the Knight Lab player shows well at the
#: usual 650 px embed height. Measured in the player (tests/test_timelinejs_player.py): up to 4 groups the
#: navigation keeps its own height (166 px); each further group adds a 30 px row, so 9 groups leave the slide 345
#: px (more than half the frame), 12 leave 255 px (headline and a few lines), 20 leave 15 px, and from 21 the
#: navigation falls below the frame and the arrows leave it at the top.
TIMELINEJS_MAX_GROUPS = 9
EMBED_HEIGHT = 650
_DATE_FIELDS = {"year": None, "month": (1, 12), "day": (1, 31), "hour": (0, 23), "minute": (0, 59),
                "second": (0, 59), "millisecond": (0, 999)}
_SLIDE_KEYS = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
               "unique_id"}
_TOP_KEYS = {"events", "title", "eras", "scale"}
_HUMAN_YEARS = (-271821, 275760)


def _tjs_date(d: SimpleDate, end: bool = False) -> dict[str, int]:
    """A TimelineJS date object with the precision of ``d``: year; year and month; or year, month and day.

    Seasons give their first (or, for an end, last) month; decades and centuries their first (last) year.
    """
    day = d.hi if end else d.lo
    if d.unit == "day":
        return {"year": day.year, "month": day.month, "day": day.day}
    if d.unit in ("month", "season"):
        return {"year": day.year, "month": day.month}
    return {"year": day.year}


def _order(d: dict) -> tuple[int, int, int]:
    """Where TimelineJS puts a date object: missing month and day count as the first."""
    return d["year"], d.get("month", 1), d.get("day", 1)


def _parts(edtf: str) -> tuple[str, SimpleDate | None, SimpleDate | None]:
    """(kind, first, second) of an EDTF value: kind is "simple", "interval" or "one-of"."""
    if edtf.startswith("["):
        left, _, right = edtf[1:-1].partition("..")
        return "one-of", parse_simple(left) if left else None, parse_simple(right) if right else None
    if "/" in edtf:
        left, right = edtf.split("/")
        return ("interval", None if left in ("", "..") else parse_simple(left),
                None if right in ("", "..") else parse_simple(right))
    return "simple", parse_simple(edtf), None


def timelinejs_dates(event: EventView) -> dict:
    """``start_date``, optional ``end_date`` and ``display_date`` of an event's slide.

    * a single date: its precision (``2018`` -> year, ``2018-06`` -> year and month, a day -> all three);
    * an interval: ``start_date`` and ``end_date``, each with its own precision; an open or unknown end has no
      ``end_date`` (and an open start starts at the known end);
    * one of a range (``[..2018-05-22]``): one point, the earliest known bound, as the view sorts it.

    ``display_date`` is on every slide: the view's date label, written as on our own pages ("2018", "May 2018",
    "22 May 2018", "about 2017", "on or before 22 May 2018", "10 June 2020 – June 2021"), so every slide says its
    date the same way; left to itself the player would write "May 22, 2018" on some slides and our label on
    the others.
    """
    try:
        parse_edtf(event.edtf)  # validates the whole value
        kind, first, second = _parts(event.edtf)
    except (EdtfError, ValueError):
        kind, first, second = "fallback", None, None
    out: dict = {}
    if kind == "simple" and first is not None:
        out["start_date"] = _tjs_date(first)
    elif kind == "interval":
        if first is not None:
            out["start_date"] = _tjs_date(first)
            if second is not None:
                out["end_date"] = _tjs_date(second, end=True)
                if _order(out["end_date"]) < _order(out["start_date"]):  # "2018-06-15/2018-06"
                    out["end_date"] = {"year": second.hi.year, "month": second.hi.month, "day": second.hi.day}
        else:
            out["start_date"] = _tjs_date(second)  # type: ignore[arg-type]  # one end is known
    elif kind == "one-of":
        known = first if first is not None else second
        out["start_date"] = _tjs_date(known)  # type: ignore[arg-type]
    else:  # not EDTF we can read: the sort date, to the day, with the label
        year, month, day = (int(x) for x in (event.sort or "1970-01-01")[:10].split("-"))
        out["start_date"] = {"year": year, "month": month, "day": day}
    out["display_date"] = event.date_label or event.edtf
    return out


def _group(event: EventView, group_by: str) -> str | None:
    if group_by == "type" and event.type_labels:
        label = event.type_labels[0]
        return label[:1].upper() + label[1:]
    if group_by == "actor" and event.participants:
        return event.participants[0].label
    return None


def _check_group_by(group_by: str | None) -> str:
    if group_by is None:  # what "no groups" was before "none" (the Python API keeps it)
        return "none"
    if group_by in GROUP_BY:
        return group_by
    raise TimelineError(f"group_by must be one of {', '.join(GROUP_BY)}, not {group_by!r}"
                        f"{did_you_mean(str(group_by), GROUP_BY)}", param="group_by")


def timelinejs_group_count(view: View, group_by: str) -> int:
    """How many rows of groups the player draws for ``group_by`` (``type``, ``actor`` or ``none``).

    As the player counts them: one per distinct group, plus one for the slides without a group if any slide
    has one.
    """
    labels = [_group(event, group_by) for event in view.events]
    named = {label for label in labels if label}
    return len(named) + (1 if named and None in labels else 0)


def timelinejs_grouping(view: View, group_by: str | None = "auto") -> str:
    """The grouping ``group_by`` stands for: ``auto`` is ``type`` when that gives at most
    :data:`TIMELINEJS_MAX_GROUPS` groups, else ``none`` (the view carries no coarser kind of event to fall back
    to); any other value is itself."""
    group_by = _check_group_by(group_by)
    if group_by != "auto":
        return group_by
    return "type" if timelinejs_group_count(view, "type") <= TIMELINEJS_MAX_GROUPS else "none"


def timelinejs_group_note(view: View, group_by: str | None = "auto") -> str | None:
    """One line for the user when the grouping does not fit the player at the usual embed height, else None.

    A warning when a chosen grouping gives more than :data:`TIMELINEJS_MAX_GROUPS` groups (the export is still
    written as asked); a note when ``auto`` leaves the slides ungrouped for that reason.
    """
    group_by = _check_group_by(group_by)
    if group_by == "auto":
        count = timelinejs_group_count(view, "type")
        if count > TIMELINEJS_MAX_GROUPS:
            return (f"note: slides not grouped: their event types make {count} groups and TimelineJS's "
                    f"navigation fits at most {TIMELINEJS_MAX_GROUPS} at {EMBED_HEIGHT} px "
                    "(--group-by type groups them anyway)")
        return None
    count = timelinejs_group_count(view, group_by)
    if count > TIMELINEJS_MAX_GROUPS:
        return (f"warning: --group-by {group_by} makes {count} groups: TimelineJS's navigation will not fit a "
                f"{EMBED_HEIGHT} px embed (at most {TIMELINEJS_MAX_GROUPS} groups do; --group-by auto chooses)")
    return None


def _slide_text(fragments, event: EventView) -> str:
    """The slide's HTML: description, place, date note, participants and citations (links only to http(s))."""
    return str(fragments.slide_text(event, [(c, safe_url(c.url)) for c in event.citations]))


def _image_url(media: MediaView, image_src: ImageSource | None) -> str | None:
    """What the player loads for an image: its http(s) URL as it is, or its file as ``image_src`` gives it."""
    if media.url:
        return safe_url(media.url)
    return image_src(media) if media.file and image_src else None


def unavailable_images(view: View, image_src: ImageSource | None = None) -> list[EventView]:
    """The events whose image the export cannot carry: a file that ``image_src`` cannot give (or no
    ``image_src``: the case directory is not known)."""
    return [e for e in view.events if e.media and _image_url(e.media, image_src) is None]


def to_timelinejs(view: View, title: str | None = None, *, group_by: str | None = "auto",
                  image_src: ImageSource | None = None) -> dict:
    """A TimelineJS 3 document for the view: a title slide and one slide per event, in the view's order.

    Slides: ``start_date``/``end_date``/``display_date`` from :func:`timelinejs_dates`; ``text.headline`` the
    event's label and ``text.text`` HTML of the description, place, date note, participants and every citation
    (quote, article title, publisher, date; the title links to the article only when
    :func:`timeline.htmlsafe.safe_url` accepts its URL), from ``timeline/templates/timelinejs.html.j2``. All case
    text is HTML-escaped (the template autoescapes) and ``autolink`` is off,
    so the player adds no links of its own. ``unique_id`` is the event id.

    ``media``, for an event with an image: ``url`` (an http(s) URL as it is; a file of the case as the
    ``data:`` URI ``image_src`` gives for it, so the export needs no file beside it), ``caption`` (its alt text)
    and ``credit``. An image file with no ``image_src``, or one it cannot read, is no ``media``: the slide's
    text says that the image is not available, and what it shows (its alt text and credit).

    ``group`` (a row of the player's navigation), by ``group_by``: ``type``, the event's first event type (by
    id), capitalised, e.g. "Meeting"; ``actor``, its first participant's label; ``none`` (or None), no groups;
    ``auto`` (the default), by type when that gives at most :data:`TIMELINEJS_MAX_GROUPS` groups, else none
    (see :func:`timelinejs_grouping`), so that the navigation fits a 650 px embed.
    """
    grouping = timelinejs_grouping(view, group_by)
    sources = {c.source for e in view.events for c in e.citations}
    count = f"{len(view.events)} event{'s' if len(view.events) != 1 else ''}"
    summary = f"{count} from {len(sources)} source{'s' if len(sources) != 1 else ''}."
    fragments = templating.macros("timelinejs.html.j2")
    events = []
    for event in view.events:
        slide: dict = timelinejs_dates(event)
        slide["display_date"] = str(fragments.text(slide["display_date"]))  # the player reads it as HTML
        text = _slide_text(fragments, event)
        if event.media:
            url = _image_url(event.media, image_src)
            if url:
                slide["media"] = {"url": url, "caption": str(fragments.text(event.media.alt)),
                                  "credit": str(fragments.text(event.media.credit))}
            else:
                text = str(fragments.missing_image(event.media)) + text
        slide["text"] = {"headline": str(fragments.text(event.label)), "text": text}
        group = _group(event, grouping)
        if group:
            slide["group"] = str(fragments.text(group))
        slide["autolink"] = False
        slide["unique_id"] = event.id
        events.append(slide)
    return {"title": {"text": {"headline": str(fragments.text(title or view.case_title)),
                               "text": str(fragments.paragraph(summary))}},
            "events": events}


def timelinejs_bytes(view: View, title: str | None = None, *, group_by: str | None = "auto",
                     image_src: ImageSource | None = None) -> bytes:
    doc = to_timelinejs(view, title, group_by=group_by, image_src=image_src)
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date_problems(d, where: str) -> list[str]:
    if not isinstance(d, dict):
        return [f"{where}: a date object must be an object"]
    problems = [f"{where}: unknown key {k!r}" for k in d if k not in _DATE_FIELDS and k != "display_date"]
    if "year" not in d:
        problems.append(f"{where}: year is required")
    for key, bounds in _DATE_FIELDS.items():
        if key not in d:
            continue
        value = d[key]
        if not _is_int(value):
            problems.append(f"{where}.{key}: must be an integer, not {value!r}")
        elif bounds and not bounds[0] <= value <= bounds[1]:
            problems.append(f"{where}.{key}: {value} is out of range {bounds[0]}-{bounds[1]}")
        elif key == "year" and not _HUMAN_YEARS[0] <= value <= _HUMAN_YEARS[1]:
            problems.append(f"{where}.year: {value} needs the cosmological scale")
    if "display_date" in d and not isinstance(d["display_date"], str):
        problems.append(f"{where}.display_date: must be a string")
    if "day" in d and "month" not in d:
        problems.append(f"{where}: a day needs a month")
    if not problems and "day" in d:
        last = last_day(d["year"], d["month"]) if d["year"] >= 1 else 31
        if d["day"] > last:
            problems.append(f"{where}.day: {d['year']}-{d['month']:02d} has no day {d['day']}")
    for finer, coarser in (("hour", "day"), ("minute", "hour"), ("second", "minute"), ("millisecond", "second")):
        if finer in d and coarser not in d:
            problems.append(f"{where}: {finer} needs {coarser}")
    return problems


def _text_problems(text, where: str) -> list[str]:
    if not isinstance(text, dict):
        return [f"{where}: a text object must be an object"]
    problems = [f"{where}: unknown key {k!r}" for k in text if k not in ("headline", "text")]
    problems += [f"{where}.{k}: must be a string" for k in ("headline", "text") if k in text
                 and not isinstance(text[k], str)]
    return problems


def _slide_problems(slide, where: str, is_title: bool) -> list[str]:
    if not isinstance(slide, dict):
        return [f"{where}: a slide must be an object"]
    problems = [f"{where}: unknown key {k!r}" for k in slide if k not in _SLIDE_KEYS]
    if "start_date" in slide:
        problems += _date_problems(slide["start_date"], f"{where}.start_date")
    elif not is_title:
        problems.append(f"{where}: start_date is required")
    if "end_date" in slide:
        problems += _date_problems(slide["end_date"], f"{where}.end_date")
        if "start_date" not in slide:
            problems.append(f"{where}: end_date without start_date")
    if "text" in slide:
        problems += _text_problems(slide["text"], f"{where}.text")
    if "media" in slide:
        media = slide["media"]
        if not isinstance(media, dict) or not isinstance(media.get("url"), str):
            problems.append(f"{where}.media: a media object needs a url string")
    for key in ("group", "display_date", "unique_id"):
        if key in slide and not isinstance(slide[key], str):
            problems.append(f"{where}.{key}: must be a string")
    if "unique_id" in slide and isinstance(slide["unique_id"], str) and not slide["unique_id"].strip():
        problems.append(f"{where}.unique_id: must not be empty")
    if "autolink" in slide and not isinstance(slide["autolink"], bool):
        problems.append(f"{where}.autolink: must be true or false")
    if "background" in slide and not isinstance(slide["background"], dict):
        problems.append(f"{where}.background: must be an object")
    if not problems and "start_date" in slide and "end_date" in slide:
        if _order(slide["end_date"]) < _order(slide["start_date"]):
            problems.append(f"{where}: end_date is before start_date")
    return problems


def timelinejs_problems(doc) -> list[str]:
    """What is wrong with a TimelineJS 3 JSON document, checked against the published format; [] if nothing.

    Checks: the top level is an object with a list ``events`` (and only ``title``, ``eras``, ``scale`` besides);
    every slide is an object with known keys and a ``start_date`` (except the title slide); date objects have an
    integer ``year`` (human scale), integers in range for ``month`` (1-12), ``day`` (a day of that month),
    ``hour``, ``minute``, ``second``, ``millisecond``, and no finer field without the coarser one; text objects
    hold strings; ``unique_id`` values are non-empty strings and unique; an ``end_date`` is not before its
    ``start_date``; eras have both dates.
    """
    if not isinstance(doc, dict):
        return ["the document must be a JSON object"]
    problems = [f"unknown top-level key {k!r}" for k in doc if k not in _TOP_KEYS]
    events = doc.get("events")
    if not isinstance(events, list):
        problems.append("events is required and must be a list of slides")
        events = []
    if "title" in doc:
        problems += _slide_problems(doc["title"], "title", is_title=True)
    seen: dict[str, str] = {}
    slides = [("title", doc["title"])] if isinstance(doc.get("title"), dict) else []
    slides += [(f"events[{i}]", s) for i, s in enumerate(events)]
    for i, slide in enumerate(events):
        problems += _slide_problems(slide, f"events[{i}]", is_title=False)
    for where, slide in slides:
        uid = slide.get("unique_id") if isinstance(slide, dict) else None
        if isinstance(uid, str):
            if uid in seen:
                problems.append(f"{where}.unique_id: {uid!r} is also the unique_id of {seen[uid]}")
            seen.setdefault(uid, where)
    if "eras" in doc:
        if not isinstance(doc["eras"], list):
            problems.append("eras must be a list")
        else:
            for i, era in enumerate(doc["eras"]):
                where = f"eras[{i}]"
                if not isinstance(era, dict):
                    problems.append(f"{where}: an era must be an object")
                    continue
                problems += [f"{where}: unknown key {k!r}" for k in era if k not in ("start_date", "end_date", "text")]
                for key in ("start_date", "end_date"):
                    if key in era:
                        problems += _date_problems(era[key], f"{where}.{key}")
                    else:
                        problems.append(f"{where}: {key} is required")
                if "text" in era:
                    problems += _text_problems(era["text"], f"{where}.text")
    if "scale" in doc and doc["scale"] not in ("human", "cosmological"):
        problems.append(f"scale must be 'human' or 'cosmological', not {doc['scale']!r}")
    return problems
