"""Validate and build a case: the library behind ``timeline validate`` and ``build``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from timeline import shacl as shacl_check
from timeline.case.checks import check_case
from timeline.case.choice import default_output
from timeline.case.drafts import check_drafts
from timeline.case.model import Case, Progress
from timeline.case.tables import (
    ENTITIES_CSV,
    EVENTS_CSV,
    csv_kind,
    load_case_with_csv,
    write_entities_csv,
    write_events_csv,
)
from timeline.case.vocabularies import load_vocabularies
from timeline.errors import CaseInvalid, Problem, display_path
from timeline.files import AtomicFile, check_writable, write_atomic
from timeline.gcpause import collections_paused
from timeline.graph import rdfimport
from timeline.graph.build import Iris, case_nquads, parse_dataset
from timeline.shacl import scan as shacl_scan


@dataclass
class Report:
    """What validation or a build found and made."""

    case: Case | None
    problems: list[Problem] = field(default_factory=list)
    quads: int = 0
    graphs: int = 0
    output: Path | None = None
    seconds: float = 0.0
    #: The N-Quads made by :func:`check`. :func:`build` writes them to ``output`` instead of keeping a copy.
    nquads: bytes = b""
    #: Seconds per phase (load, checks, graph, shacl, write), for benchmarks and --verbose.
    timings: dict[str, float] = field(default_factory=dict)
    _dataset: object | None = field(default=None, init=False, repr=False)

    @property
    def dataset(self):
        """The built graph as an rdflib ``Dataset`` (parsed on first use), or None before a build."""
        if self._dataset is None and (self.nquads or self.output is not None):
            self._dataset = parse_dataset(self.nquads or self.output.read_bytes())
        return self._dataset

    def count(self, lines: list[str]) -> None:
        """Count the lines of a piece of the N-Quads as they are made (one quad each)."""
        self.quads += len(lines)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        c = self.case
        if c is None:
            return {}
        citations = sum(len(r.citations) for r in [*c.events.values(), *c.claims.values()])
        return {"sources": len(c.sources), "entities": len(c.entities), "events": len(c.events),
                "claims": len(c.claims), "citations": citations}


def _where(case: Case):
    """A function from a node IRI to the (file, line) of the record it belongs to."""
    iris = Iris(case.base)
    index: dict[str, tuple[str, int]] = {}
    for e in case.entities.values():
        index[iris.entity(e.id)] = (display_path(e.path), e.line)
    for ev in case.events.values():
        index[iris.event(ev.id)] = (display_path(ev.path), ev.line)
    for c in case.claims.values():
        index[iris.claim(c.id)] = (display_path(c.path), c.line)
    for s in case.sources.values():
        index[iris.source(s.id)] = (display_path(s.path), s.line)
    for kind, table in (("event", case.events), ("claim", case.claims)):
        for record in table.values():
            index[f"{case.base}mention/{kind}/{record.id}"] = (display_path(record.path), record.line)

    def where(iri: str) -> tuple[str, int]:
        # Participations, mentions and selectors hang below their record's IRI.
        probe = iri
        while probe:
            if probe in index:
                return index[probe]
            probe = probe.rpartition("/")[0]
        return ("(built graph)", 0)

    return where


def check(case_dir: Path, shacl: bool = True, today: date | None = None, engine: str = "scan",
          progress: Progress | None = None, extra_csv: Iterable[Path] = (),
          on_bytes: Callable[[bytes], None] | None = None,
          read_back: Callable[[], bytes] | None = None) -> Report:
    """Load a case (YAML, and CSV where present) and run every check; build its N-Quads if it is sound.

    ``extra_csv``: CSV files read as if they were in the case (``timeline import``).
    ``progress(done, total)`` is called as CSV lines are read. ``on_bytes`` gets the N-Quads piece
    by piece as they are made, before SHACL has passed them. With ``read_back`` (which returns what
    ``on_bytes`` was given so far), the N-Quads are not also kept in ``report.nquads``: SHACL reads
    them back only if it needs them twice.

    Python's cyclic garbage collector is paused meanwhile (:func:`~timeline.gcpause.collections_paused`).
    """
    with collections_paused():
        return _check(case_dir, shacl, today, engine, progress, extra_csv, on_bytes, read_back)


def _check(case_dir: Path, shacl: bool, today: date | None, engine: str, progress: Progress | None,
           extra_csv: Iterable[Path], on_bytes: Callable[[bytes], None] | None,
           read_back: Callable[[], bytes] | None) -> Report:
    """:func:`check`, once the garbage collector is paused."""
    started = lap = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        report.timings[name] = now - lap
        lap = now

    case, problems = load_case_with_csv(case_dir, progress, extra_csv)
    report = Report(case, problems)
    phase("load")
    if case is not None:
        vocab = load_vocabularies()
        report.problems += check_case(case, vocab, today)
        report.problems += check_drafts(case, vocab, report.problems, today)
        phase("checks")
    if case is not None and report.ok:
        if shacl:
            violations = _graph_and_shapes(case, report, engine, on_bytes, read_back)
            if violations:  # the index from nodes to records is only needed to place problems
                report.problems += shacl_check.as_problems(violations, _where(case))
        else:
            report.nquads = case_nquads(case, on_lines=report.count, on_bytes=on_bytes, keep=read_back is None)
            phase("graph")
        report.graphs = 2 + len(case.sources)  # curated, ontology and one per source
    report.problems.sort(key=lambda p: (not p.is_error, p.path, p.line, p.message))
    report.seconds = time.perf_counter() - started
    return report


def _graph_and_shapes(case: Case, report: Report, engine: str, on_bytes: Callable[[bytes], None] | None,
                      read_back: Callable[[], bytes] | None) -> list:
    """Build the case's N-Quads (into ``report`` unless ``read_back``) and check them against the SHACL shapes.

    The ``scan`` engine checks the lines while they are written, in one pass; where it hands over
    (shapes or data beyond it), the ``sparql`` engine checks the finished N-Quads instead.
    """
    def graph() -> bytes:
        return report.nquads if read_back is None else read_back()

    started = time.perf_counter()
    scan = shacl_scan.Scan() if engine == "scan" else None  # with the garbage collector paused by check()

    def lines(piece: list[str]) -> None:
        report.count(piece)
        if scan is not None:
            scan.feed(piece)
    report.nquads = case_nquads(case, on_lines=lines, on_bytes=on_bytes, keep=read_back is None)
    written = time.perf_counter()
    violations = scan.finish(graph) if scan else None
    if violations is None:  # sparql or pySHACL chosen, or what the scan handed over
        violations = shacl_check.validate_pyshacl(report.dataset if read_back is None else parse_dataset(graph())) \
            if engine == "pyshacl" else shacl_check.validate_nquads(graph())
    feeding = scan.seconds if scan else 0.0
    report.timings["graph"] = written - started - feeding
    report.timings["shacl"] = feeding + time.perf_counter() - written
    return violations


def build(case_dir: Path, output: Path | None = None, shacl: bool = True, engine: str = "scan",
          progress: Progress | None = None) -> Report:
    """Check and build a case, then write its dataset atomically.

    The graph goes to a temporary file while it is made and checked (a thread writes it, so the
    disk works during SHACL); it is renamed over the target only when every check passes, so a
    failed build leaves the previous graph in place. It is not kept in memory as well:
    ``report.nquads`` stays empty, and ``report.dataset`` reads ``report.output``.
    """
    started = time.perf_counter()
    target = output or default_output(case_dir)
    out: AtomicFile | None = None

    def write(piece: bytes) -> None:
        nonlocal out
        if out is None:  # opened once the checks have passed, so a failed one writes nothing
            out = AtomicFile(target, background=True)  # which refuses a directory, naming it
        out.write(piece)

    try:
        report = check(case_dir, shacl=shacl, engine=engine, progress=progress, on_bytes=write,
                       read_back=lambda: out.written() if out is not None else b"")
        if not report.ok or out is None:
            raise CaseInvalid(report.problems)
        waited = time.perf_counter()
        out.commit()
    except BaseException:
        if out is not None:
            out.discard()
        raise
    report.timings["write"] = time.perf_counter() - waited  # what is left of it once the graph is checked
    report.output = target
    report.seconds = time.perf_counter() - started
    return report


def keep_store(graph: Path, note: Callable[[str], None] | None = None) -> Path | None:
    """Leave the query store of a big built graph beside it (``timeline build``); its path, or None.

    None for a graph small enough to be read in memory (see :mod:`timeline.stores.kept`), or when the
    store cannot be made there (``note`` says why; the graph is built all the same). A store of the
    previous graph stays until this one is swapped in; a stale one is never used.
    """
    from timeline.stores.kept import keep_store as keep

    return keep(graph, note)


#: The pages ``timeline build --pages`` writes beside the graph.
PAGES = ("timeline.html", "graph.html", "story.html")


def render_pages(graph: Path, directory: Path | None = None, case_dir: Path | None = None) -> list[Path]:
    """Write the case's timeline, graph and story pages (default options) beside ``graph``; returns their paths.

    ``case_dir``: the case the graph was built from, whose image files the story shows. Each page is written
    atomically, so a failure leaves the previous page in place.
    """
    # here, not at the top: validate and a build without pages need none of the renderers
    from timeline.render.casepages import render_case_pages
    from timeline.stores import open_store
    from timeline.views.model import load_view

    directory = directory or graph.parent
    store = open_store(graph, keep=True)  # the store build just kept, for a big case
    pages = render_case_pages(load_view(store), store, case_dir=case_dir)
    written = []
    for name in PAGES:
        write_atomic(directory / name, pages[name].encode("utf-8"))
        written.append(directory / name)
    return written


# ------------------------------------------------------------------ import


def import_csv_into_case(case_dir: Path, files: Iterable[Path], output: Path | None = None, shacl: bool = True,
                         engine: str = "sparql", progress: Progress | None = None, today: date | None = None):
    """Add the records of CSV files to a case, then build it (``timeline import``); a :class:`Report`.

    The case with the new records is checked exactly as ``timeline build``
    checks it; on any error nothing is written (raises CaseInvalid, problems
    naming the imported file and line). Otherwise the case's ``entities.csv``
    and ``events.csv`` are rewritten, atomically and in canonical form, with
    their earlier rows followed by the imported ones (entities first, so an
    interruption never leaves events naming entities that are not there), and
    the graph is written atomically to ``output`` (default: the case's).
    """
    case_dir, files = Path(case_dir), [Path(f) for f in files]
    output = Path(output) if output else default_output(case_dir)
    for target in (output, case_dir / ENTITIES_CSV, case_dir / EVENTS_CSV):
        check_writable(target)  # before anything is written, so a failure cannot leave half an import
    report = check(case_dir, shacl=shacl, engine=engine, today=today, progress=progress, extra_csv=files)
    if not report.ok or not report.nquads:
        raise CaseInvalid(report.problems)
    case = report.case
    csv_paths = {case_dir / ENTITIES_CSV, case_dir / EVENTS_CSV, *files}
    kinds = {csv_kind(f) for f in files}  # headers only; load_case_with_csv read them too
    if "entities" in kinds:
        write_entities_csv([e for e in case.entities.values() if e.path in csv_paths], case_dir / ENTITIES_CSV)
    if "events" in kinds:
        write_events_csv([e for e in case.events.values() if e.path in csv_paths], case_dir / EVENTS_CSV)
    report.output = output
    write_atomic(report.output, report.nquads)
    return report


def import_rdf_report(paths: Iterable[Path], graph: str | None = None,
                      shacl: bool = True) -> tuple[bytes, list[Problem]]:
    """Import RDF files that use the ontology (``timeline import``): (sorted N-Quads, problems).

    :func:`timeline.graph.rdfimport.read_rdf` reads them; the result is then
    validated with the SHACL shapes, each problem naming the file (and the
    line where the node is written, when it can be found).
    """
    nquads, problems, located = rdfimport.read_rdf(paths, graph)
    if shacl and nquads:
        problems = sorted(set(problems + shacl_check.as_problems(shacl_check.validate_nquads(nquads), located)))
    return nquads, problems


def import_rdf(paths: Iterable[Path], graph: str | None = None) -> bytes:
    """Sorted N-Quads of RDF files that use the ontology; raises CaseInvalid naming the file on errors."""
    nquads, problems = import_rdf_report(paths, graph)
    if any(p.is_error for p in problems):
        raise CaseInvalid(problems)
    return nquads
