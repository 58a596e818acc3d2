"""Importing RDF that already uses the ontology.

:func:`read_rdf` reads Turtle, TriG, N-Triples or N-Quads files whose data
uses the ontology, checks the ``tl:`` terms they use, adds the month-range
index where events lack it, and returns sorted N-Quads;
:func:`timeline.pipeline.import_rdf` validates them with the SHACL shapes as
well. Problems name the file (and a line where the node is written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from timeline import namespaces
from timeline.errors import CaseInvalid, Problem, did_you_mean, display_path
from timeline.graph.build import MONTH_RANGES, RDFS, SEM, month_range_key

# ------------------------------------------------------------------ RDF


_RDF_FORMATS = {".ttl": "TURTLE", ".trig": "TRIG", ".nq": "N_QUADS", ".nt": "N_TRIPLES"}
_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
RDF_TYPE = namespaces.PREFIXES["rdf"] + "type"


class Located:
    """Where a node is written: the first file that states something about it, and the line."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self.objects: dict[str, Path] = {}  # nodes only named as objects, as a fallback
        # A file's text and its prefixes, read again only when a problem in it needs a line.
        self.texts: dict[Path, tuple[str, list[tuple[str, str]]]] = {}

    def note(self, iri: str, path: Path, subject: bool = True) -> None:
        (self.files if subject else self.objects).setdefault(iri, path)

    def __call__(self, iri: str) -> tuple[str, int]:
        probe = iri
        while probe and probe not in self.files:  # participations and mentions hang below their record
            probe = probe.rpartition("/")[0]
        path = self.files.get(probe) if probe else self.objects.get(iri)
        if path is None:
            return ("(imported RDF)", 0)
        return (display_path(path), self._line(path, iri) or (self._line(path, probe) if probe else 0))

    def _line(self, path: Path, iri: str) -> int:
        if path not in self.texts:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self.texts[path] = (text, _PREFIX_RE.findall(text))
        text, declared = self.texts[path]
        at = text.find(f"<{iri}>")
        if at < 0:
            for prefix, namespace in declared:
                if namespace and iri.startswith(namespace):
                    match = re.search(rf"(?<![\w:]){re.escape(prefix)}:{re.escape(iri[len(namespace):])}(?![\w-])",
                                      text)
                    if match:
                        at = match.start()
                        break
        return text.count("\n", 0, at) + 1 if at >= 0 else 0


def read_rdf(paths: Iterable[Path], graph: str | None = None) -> tuple[bytes, list[Problem], Located]:
    """Read RDF files that use the ontology: (sorted N-Quads, problems, where each node is written).

    Triples outside a named graph go into ``graph``, or into the curated graph
    of the one case the data names (``tl:Case`` / ``tl:inCase``). ``tl:``
    terms must be defined by the ontology. Events without a ``tl:monthRange``
    get one, derived from their bounds, so that date-window queries find them.
    Every problem names the file (and the line where the node is written,
    when it can be found); :func:`timeline.pipeline.import_rdf_report` adds
    the SHACL validation, whose problems are located the same way.
    """
    import pyoxigraph as ox

    problems: list[Problem] = []
    located = Located()
    store = ox.Store()
    default_triples: list[tuple[Path, Any]] = []
    kept: list[Any] = []  # kept as parsed: a store would turn derived datatypes into xsd:integer
    paths = [Path(p) for p in paths]
    if not paths:
        raise CaseInvalid([Problem("(import)", 0, "no RDF files given")])
    for path in paths:
        shown = display_path(path)
        fmt = _RDF_FORMATS.get(path.suffix.lower())
        if fmt is None:
            problems.append(Problem(shown, 0, f"unknown RDF format {path.suffix!r}; use .ttl, .trig, .nt or .nq"))
            continue
        try:
            quads = list(ox.parse(path=str(path), format=getattr(ox.RdfFormat, fmt)))
        except SyntaxError as exc:
            message = str(exc.msg if getattr(exc, "msg", None) else exc)
            message = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ", "", message)
            problems.append(Problem(shown, exc.lineno or 0, f"not valid {fmt.replace('_', '-').title()}: {message}"))
            continue
        except OSError as exc:
            problems.append(Problem(shown, 0, f"cannot read: {exc.strerror or exc}"))
            continue
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode):
                located.note(quad.subject.value, path)
            if isinstance(quad.object, ox.NamedNode):
                located.note(quad.object.value, path, subject=False)
            if isinstance(quad.graph_name, ox.DefaultGraph):
                default_triples.append((path, quad))
            else:
                kept.append(quad)
        _check_terms(quads, path, located, problems)
    if default_triples:
        target = graph or _curated_graph(kept, default_triples)
        if target is None:
            for path in sorted({p for p, _ in default_triples}):
                problems.append(Problem(display_path(path), 0, "triples outside a named graph, and the data does "
                                        "not name exactly one case (tl:Case) whose curated graph could hold them; "
                                        "give the graph to put them in"))
        else:
            for _path, quad in default_triples:
                kept.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(target)))
    if any(p.is_error for p in problems):
        return b"", sorted(set(problems)), located
    store.extend(kept)
    kept += _month_ranges(store)
    data = ox.serialize(kept, format=ox.RdfFormat.N_QUADS)
    nquads = b"".join(sorted(set(data.splitlines(keepends=True))))
    return nquads, sorted(set(problems)), located


def _check_terms(quads, path: Path, located: Located, problems: list[Problem]) -> None:
    """A problem for each ``tl:`` term (predicate or class) of ``quads`` that the ontology does not define."""
    import pyoxigraph as ox

    namespace = namespaces.TL
    known = namespaces.TL_TERMS
    unknown: dict[str, None] = {}
    for quad in quads:
        terms = [quad.predicate.value]
        if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            terms.append(quad.object.value)
        for term in terms:
            if term.startswith(namespace) and term[len(namespace):] not in known:
                unknown.setdefault(term, None)
    for term in unknown:
        name = term[len(namespace):]
        line = located._line(path, term)
        problems.append(Problem(display_path(path), line, f"tl:{name} is not a term of the ontology"
                                f"{did_you_mean(name, known)}"))


def _curated_graph(quads, default_triples) -> str | None:
    """``<case>graph/curated`` when the data names exactly one case (tl:Case or tl:inCase)."""
    cases = set()
    for quad in [*quads, *(q for _path, q in default_triples)]:
        if quad.predicate.value == RDF_TYPE and getattr(quad.object, "value", "") == namespaces.TL + "Case":
            cases.add(quad.subject.value)
        elif quad.predicate.value == namespaces.TL + "inCase":
            cases.add(quad.object.value)
    if len(cases) != 1:
        return None
    return next(iter(cases)) + "graph/curated"


def _month_ranges(store) -> list:
    """tl:monthRange quads (and the index membership) for the events in ``store`` that lack one."""
    import pyoxigraph as ox

    rows = list(store.query(f"""
        SELECT ?g ?e ?b ?l WHERE {{ GRAPH ?g {{ ?e a <{namespaces.TL}Event> }}
          FILTER NOT EXISTS {{ GRAPH ?any {{ ?e <{namespaces.TL}monthRange> ?r }} }}
          OPTIONAL {{ GRAPH ?g1 {{ ?e <{SEM}hasEarliestBeginTimeStamp> ?b }} }}
          OPTIONAL {{ GRAPH ?g2 {{ ?e <{SEM}hasLatestEndTimeStamp> ?l }} }} }}"""))
    member = ox.NamedNode(RDFS + "member")
    added = []
    for row in rows:
        try:
            begin = date.fromisoformat(row["b"].value) if row["b"] is not None else None
            end = date.fromisoformat(row["l"].value) if row["l"] is not None else None
        except ValueError:
            continue  # an ill-formed bound: SHACL reports it
        node = ox.NamedNode(MONTH_RANGES + month_range_key(begin, end))
        added.append(ox.Quad(row["e"], ox.NamedNode(namespaces.TL + "monthRange"), node, row["g"]))
        added.append(ox.Quad(ox.NamedNode(MONTH_RANGES), member, node, row["g"]))
    return added
