"""Running one query within the row limit, its answer written in the negotiated format."""

from __future__ import annotations

import threading

from timeline.errors import TimelineError
from timeline.query.results import SELECT_WRITERS, QueryResult, to_json
from timeline.query.sparql import form_of
from timeline.serve.errors import READ_ONLY, HttpError
from timeline.serve.guard import declares_dataset
from timeline.serve.negotiation import GRAPH_FORMATS, GRAPH_FORMS
from timeline.serve.protocol import Dataset
from timeline.stores import OxigraphStore, ReadOnlyError, serialize_triples

WHERE = "query"  # how error messages name the query: "query:LINE:COL: SPARQL syntax error: ..."


class _TooBig(Exception):
    pass


class Stopped(Exception):
    """The query's stop flag was set (its time ran out) while rows were being read."""


def _evaluate(store, text: str, max_rows: int | None, stop: threading.Event | None,
              dataset: Dataset | None) -> QueryResult:
    if not isinstance(store, OxigraphStore):
        if dataset is not None:
            raise HttpError(400, "default-graph-uri and named-graph-uri need the Oxigraph engine; this server "
                                 "runs on rdflib: use GRAPH in the query")
        result = store.query(text, where=WHERE)
        size = len(result.rows) if result.form == "SELECT" else len(result.triples)
        if max_rows is not None and size > max_rows:
            raise _TooBig()
        return result

    def guard(count: int) -> None:  # pyoxigraph streams: rows are counted (and the stop flag read) as they come
        if count == max_rows:
            raise _TooBig()
        if stop is not None and stop.is_set():
            raise Stopped()

    if dataset is None:  # the union of all graphs, unless the query names its own FROM / FROM NAMED
        return store.query(text, where=WHERE, guard=guard, union=not declares_dataset(text))
    return store.query(text, where=WHERE, guard=guard, default_graph=dataset.default, named_graphs=dataset.named)


def execute(store, text: str, fmt: str, max_rows: int | None = None,
            stop: threading.Event | None = None, dataset: Dataset | None = None) -> bytes:
    """Run a read-only query and write its answer as ``fmt`` (a :class:`Format` key).

    ``dataset``: the protocol's ``default-graph-uri`` and ``named-graph-uri``; without
    it the query's FROM and FROM NAMED apply, and without those the default graph is
    the union of all graphs.

    Raises :class:`HttpError`: 400 for a bad query, 403 for an update, 503 when the
    answer has more than ``max_rows`` rows (or triples).
    """
    try:
        result = _evaluate(store, text, max_rows, stop, dataset)
    except _TooBig:
        unit = "triples" if form_of(text) in GRAPH_FORMS else "rows"
        raise HttpError(503, f"the answer has more than {max_rows} {unit} (the server's limit); "
                             "add LIMIT or narrow the query") from None
    except ReadOnlyError:
        raise HttpError(403, READ_ONLY) from None
    except TimelineError as exc:  # SparqlError and the store's other one-line errors
        raise HttpError(400, str(exc)) from None
    if result.form in GRAPH_FORMS:
        if fmt not in {f.key for f in GRAPH_FORMATS}:
            fmt = GRAPH_FORMATS[0].key
        return serialize_triples(result.triples, fmt, store.prefixes).encode("utf-8")
    return SELECT_WRITERS.get(fmt, to_json)(result).encode("utf-8")


def prewarm(store) -> None:
    """Import whatever the engine and the writers load lazily (a worker cannot open files)."""
    for text, fmts in (("SELECT * WHERE { ?s ?p ?o } LIMIT 1", SELECT_WRITERS),
                       ("ASK { ?s ?p ?o }", ("json",)),
                       ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", ("turtle", "nt", "jsonld", "rdfxml"))):
        for fmt in fmts:
            try:
                execute(store, text, fmt)
            except Exception:  # noqa: S112 - best effort; the real query reports its own error
                continue
