"""The workbench's query pages: saved queries as forms (``/queries/``), the SPARQL editor (``/editor``) and the
path finder (``/path``).

Everything works without JavaScript: a form is a GET whose URL is the page of its answer (shareable), and the
answer is drawn on the server as a table, or, with ``view=timeline|graph``, as the ``query --view`` page in a
frame (``.../view``). ``download=FORMAT`` answers the file itself. JavaScript (``render/web/workbench-query.js``)
adds the entity pickers' suggestions and the CodeMirror editor.

Queries run in the server's worker pool (``engine.answer``), under its time and row limits, never on the event
loop; the UPDATE and SERVICE refusals of ``/sparql`` hold here too. A saved query's parameters are bound as the
command line binds them (:func:`timeline.query.saved_queries.bind`, then
:func:`timeline.query.sparql.bind_values`: typed terms, never pasted text); the look-ups that binding makes (an
entity's names, an id) run in the pool too, from a thread that waits for them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from anyio import from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from timeline import namespaces
from timeline.case.model import ENTITY_CLASS
from timeline.errors import TimelineError, did_you_mean
from timeline.query import saved_queries
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import bind_values, form_of
from timeline.serve.catalog import entity_url, event_url, source_url
from timeline.serve.errors import READ_ONLY, HttpError
from timeline.serve.guard import refused
from timeline.serve.negotiation import GRAPH_FORMATS, GRAPH_FORMS, RESULT_FORMATS, Format
from timeline.serve.security import page_csp
from timeline.serve.workbench import not_found, own_file, page_response, render_page, workbench_page, workbench_response

SHOWN_ROWS = 500  # rows drawn in the page's table; the downloads hold them all (within the server's row limit)
MAX_QUERY = 20_000  # characters of an editor query in a URL
VIEWS = ("table", "timeline", "graph")
EXTENSIONS = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "nt": "nt",
              "jsonld": "jsonld", "rdfxml": "rdf"}
LABELS = {"json": "SPARQL JSON", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV", "turtle": "Turtle",
          "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
# The engine's message for a syntax error: "query:LINE:COL: SPARQL syntax error: ..." (timeline.query.sparql).
_POSITION = re.compile(r"^query:(\d+):(\d+): (.*)$", re.DOTALL)
EDITOR_EXAMPLE = """SELECT ?event ?date ?label WHERE {
  ?event a tl:Event ; rdfs:label ?label ; tl:dateLabel ?date ; tl:sortDate ?sort .
}
ORDER BY ?sort
LIMIT 20"""


# ------------------------------------------------------------ running


class PoolQueries:
    """The store as :func:`saved_queries.bind` sees it (a ``Queryable``), each query answered by the worker pool.

    Called from a worker thread (``run_in_threadpool``): each query waits for the pool on the event loop, so the
    look-ups keep the server's time limit and the loop stays free. One per server, so the entity names are read
    once (:func:`saved_queries.entity_names` keeps them per store).
    """

    def __init__(self, endpoint) -> None:
        self.endpoint = endpoint
        self._base = ""

    def case_base(self) -> str:
        """The case's IRI base (``https://.../case/NAME/``), read once."""
        if not self._base:
            self._base = saved_queries.case_base(self)
        return self._base

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult:
        full = bind_values(text, bindings or {})
        deadline = time.monotonic() + self.endpoint.timeout
        body = from_thread.run(self.endpoint.engine.answer, full, "json", deadline)
        return parse_answer(body, form_of(full))


def pool_queries(endpoint) -> PoolQueries:
    found = getattr(endpoint, "_pool_queries", None)
    if found is None:
        found = endpoint._pool_queries = PoolQueries(endpoint)
    return found


def parse_answer(body: bytes, form: str) -> QueryResult:
    """An answer of the pool (SPARQL results JSON, or N-Triples for CONSTRUCT and DESCRIBE) as a result."""
    import pyoxigraph as ox

    from timeline.stores import result_from_oxigraph

    if form in GRAPH_FORMS:
        return result_from_oxigraph(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)), form)
    return result_from_oxigraph(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), form)


def check_query(text: str, endpoint) -> str:
    """The query's form, or the :class:`HttpError` that ``/sparql`` would answer (empty, UPDATE, SERVICE)."""
    form = form_of(text)
    if form == "EMPTY":
        raise HttpError(400, "the query is empty")
    if form == "UPDATE":
        raise HttpError(403, READ_ONLY)
    reason = refused(text, endpoint.remote_from)
    if reason:
        raise HttpError(403, reason)
    return form


async def answer(endpoint, text: str, fmt: str) -> bytes:
    """The query's answer as ``fmt`` from the worker pool, under the server's time and row limits."""
    check_query(text, endpoint)
    return await endpoint.engine.answer(text, fmt, time.monotonic() + endpoint.timeout)


async def run_result(endpoint, text: str) -> QueryResult:
    form = check_query(text, endpoint)
    body = await answer(endpoint, text, "nt" if form in GRAPH_FORMS else "json")
    return await run_in_threadpool(parse_answer, body, form)


def formats_for(text: str) -> tuple[Format, ...]:
    return GRAPH_FORMATS if form_of(text) in GRAPH_FORMS else RESULT_FORMATS


async def download(endpoint, text: str, key: str, stem: str) -> Response:
    """The answer as a file (``Content-Disposition: attachment``) in the format ``key``."""
    fmt = next((f for f in formats_for(text) if f.key == key), None)
    if fmt is None:
        shown = ", ".join(f.key for f in formats_for(text))
        raise HttpError(400, f"download={key}: not a format for this query; use one of {shown}")
    body = await answer(endpoint, text, key)
    charset = "" if key in ("json", "jsonld") else "; charset=utf-8"
    return Response(body, media_type=fmt.media_type + charset, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{EXTENSIONS[key]}"', "Cache-Control": "no-store"})


# ------------------------------------------------------------ the table


@dataclass
class Cell:
    text: str
    href: str | None = None
    title: str = ""


@dataclass
class Shown:
    """A result as the page's table draws it."""

    form: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None


def _short(iri: str) -> str:
    for prefix, namespace in namespaces.PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _cell(term: Term | None, catalog) -> Cell:
    """A term as a cell: an entity or event of the case links to its page, with its label."""
    if term is None:
        return Cell("")
    if term.kind != "uri":
        return Cell(term.value, title=_short(term.datatype) if term.datatype else (term.lang or ""))
    local = term.value.rstrip("/").rsplit("/", 1)[-1]
    kind = term.value[: -len(local) - 1].rsplit("/", 1)[-1] if local else ""
    # Named as the command line's table names it (event:amazon-ice-meeting-2018-06), the label on hover.
    if catalog is not None and kind == "entity" and local in catalog.view.entities:
        return Cell(f"entity:{local}", entity_url(local), catalog.label(local))
    if catalog is not None and kind == "event" and local in catalog.events:
        return Cell(f"event:{local}", event_url(local), catalog.label(local))
    return Cell(_short(term.value), title=term.value)


def shown(result: QueryResult, catalog) -> Shown:
    if result.form == "ASK":
        return Shown("ASK", boolean=bool(result.boolean))
    if result.form in GRAPH_FORMS:
        rows = [[_cell(t, catalog) for t in triple] for triple in result.triples[:SHOWN_ROWS]]
        return Shown(result.form, ["subject", "predicate", "object"], rows, len(result.triples))
    rows = [[_cell(row.get(v), catalog) for v in result.variables] for row in result.rows[:SHOWN_ROWS]]
    return Shown(result.form, list(result.variables), rows, len(result.rows))


# ------------------------------------------------------------ the --view pages


def view_page(result: QueryResult, catalog, kind: str, title: str) -> str:
    """The result as ``timeline query --view KIND`` draws it (the same conversion and renderer)."""
    from timeline.views import resultview

    if catalog is None:
        raise TimelineError("the case's pages are not available on this server, so neither are the views")
    if kind == "timeline":
        from timeline.render.timeline import render_timeline

        converted = resultview.to_timeline_view(result, catalog.view, title)
        grouped = any(e.types for e in converted.view.events) and any(v.lower() == "group"
                                                                       for v in result.variables)
        # show_title=False: the workbench page around the frame already says what this is
        return render_timeline(converted.view, group_by="type" if grouped else "none", title=title,
                               show_title=False)
    from timeline.render.graph import render_graph

    converted = resultview.to_graph_view(result, catalog.view, title)
    return render_graph(converted.view, title=title, events="none")  # rows are lines, never event boxes


async def view_response(request: Request, text: str, title: str) -> Response:
    endpoint = request.app.state.endpoint
    kind = request.query_params.get("view", "timeline")
    if kind not in ("timeline", "graph"):
        return _small_page(400, f"view={kind}: choose timeline or graph")
    try:
        result = await run_result(endpoint, text)
        html = await run_in_threadpool(view_page, result, endpoint.catalog, kind, title)
    except HttpError as exc:
        return _small_page(200, exc.message)  # shown in the result's frame, in place of the view
    except TimelineError as exc:
        return _small_page(200, str(exc))
    return page_response(html)


def _small_page(status: int, message: str) -> Response:
    return page_response(render_page("workbench/query-view-error.html.j2", message=message), status)


# ------------------------------------------------------------ saved queries


def _saved(name: str) -> saved_queries.SavedQuery | None:
    return saved_queries.saved_queries().get(name)


@dataclass
class Field:
    """One parameter of a saved query as a form field."""

    name: str
    type: str
    doc: str
    value: str
    optional: bool
    input: str  # "text", "number", "select"
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label) of a select
    suggest: str = ""  # "entity", "event" or "any": the picker asks /suggest for these
    pattern: str = ""
    placeholder: str = ""
    error: str = ""


def fields_of(query: saved_queries.SavedQuery, given: dict[str, str], catalog) -> list[Field]:
    out = []
    for p in query.params:
        f = Field(p.name, p.type, p.doc, given.get(p.name, p.default or ""), p.optional, "text")
        if p.type in ("entity", "event", "record"):
            f.suggest = {"record": "any"}.get(p.type, p.type)
            f.placeholder = "a name, alias or id"
        elif p.type in ("date", "date-end"):
            f.pattern, f.placeholder = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", "YYYY, YYYY-MM or YYYY-MM-DD"
        elif p.type == "integer":
            f.input = "number"
        elif p.type == "entity-type":
            f.input = "select"
            f.options = [(k, k.replace("-", " ")) for k in sorted({*ENTITY_CLASS, "agent", "organization"})]
        elif p.type == "source" and catalog is not None:
            f.input = "select"
            f.options = [(s.id, f"{s.title} ({s.id})") for s in catalog.view.sources.values()]
        out.append(f)
    return out


def _param_name(exc: TimelineError, names: list[str]) -> str | None:
    said = getattr(exc, "said", "") or str(exc)
    match = re.match(r"(?:missing )?param '?([A-Za-z_][A-Za-z0-9_]*)", said)
    return match.group(1) if match and match.group(1) in names else None


async def list_queries(request: Request) -> Response:
    endpoint = request.app.state.endpoint
    return workbench_response(request, "workbench/queries.html.j2", active="queries", saved=endpoint.saved,
                              **_scripts())


def _given(request: Request, query: saved_queries.SavedQuery) -> dict[str, str]:
    """The parameters filled in: a blank optional field means "not given"."""
    declared = {p.name: p for p in query.params}
    given = {}
    for name, value in request.query_params.items():
        if name in declared and (value.strip() or not declared[name].optional):
            given[name] = value.strip()
    return given


def _bind(query: saved_queries.SavedQuery, given: dict[str, str], endpoint) -> tuple[str, list[str]]:
    """The query text with its parameters bound as typed terms (as ``timeline query -p`` does), and the notes
    about partial names that were taken for an entity. Runs in a worker thread."""
    notes: list[str] = []
    pool = pool_queries(endpoint)
    if endpoint.catalog is not None:
        given = records_as_iris(query, given, endpoint.catalog, pool.case_base(), notes.append)
    bindings = saved_queries.bind(query, given, pool, notes.append)
    return bind_values(query.text, bindings), notes


RECORD_TYPES = ("entity", "event", "claim", "source", "record")


def records_as_iris(query: saved_queries.SavedQuery, given: dict[str, str], catalog, base: str,
                    on_resolved: Callable[[str], None]) -> dict[str, str]:
    """Record parameters (ids, and entity names as the CLI takes them) resolved against the case read at start-up,
    as IRIs, which :func:`saved_queries.bind` takes as they are.

    The command line asks the store for every record's id instead: through the worker pool, that answer would
    be over the row limit on a big case. The same ids and the same name resolver
    (:func:`timeline.views.model.resolve_entity`) give the same terms.
    """
    from timeline.views.model import resolve_entity

    known = {"event": catalog.events, "claim": catalog.view.claims, "source": catalog.view.sources}
    out = dict(given)
    for p in query.params:
        value = given.get(p.name)
        if value is None or p.type not in RECORD_TYPES or re.match(r"^[a-z][a-z0-9+.-]*://", value):
            continue
        kinds = ["event", "claim", "source"] if p.type == "record" else [p.type] if p.type in known else []
        hit = next((k for k in kinds if value in known[k]), None)
        if hit is not None:
            out[p.name] = f"{base}{hit}/{value}"
        elif p.type in ("entity", "record"):
            try:
                out[p.name] = f"{base}entity/{resolve_entity(catalog.view, value, on_resolved).id}"
            except TimelineError as exc:
                raise _bad(p.name, value, str(exc)) from None
        else:
            raise _bad(p.name, value, f"no {p.type} with id {value!r}{did_you_mean(value, known[p.type])}")
    return out


def _bad(name: str, value: str, detail: str) -> saved_queries.ParamError:
    """The error :func:`saved_queries.bind` gives for a bad value (``param actor='x': ...``)."""
    said = f"param {name}={value!r}"
    return saved_queries.ParamError(f"{said}: {detail}", param="params", said=said, value=f"{name}={value}")


async def saved_query(request: Request) -> Response:
    """``/queries/{name}``: the form; with ``run``, the answer; with ``download``, the file."""
    endpoint = request.app.state.endpoint
    name = request.path_params["name"]
    query = _saved(name)
    if query is None:
        return not_found(request, f"no saved query {name!r}")
    given = _given(request, query)
    fields = fields_of(query, given, endpoint.catalog)
    params = request.query_params
    run = "run" in params or "download" in params or "view" in params
    context = {"saved": query, "fields": fields, "error": "", "notes": [], "result": None, "links": None}
    if run:
        try:
            text, context["notes"] = await run_in_threadpool(_bind, query, given, endpoint)
            if "download" in params:
                return await download(endpoint, text, params["download"], query.name)
            result = await run_result(endpoint, text)
            context["result"] = await run_in_threadpool(shown, result, endpoint.catalog)
            context["links"] = result_links(f"/queries/{query.name}", _form_params(given), result.form,
                                            params.get("view", "table"), query.name)
        except HttpError as exc:
            context["error"] = exc.message
        except TimelineError as exc:
            owner = _param_name(exc, [f.name for f in fields])
            if owner is None:
                context["error"] = str(exc)
            else:
                next(f for f in fields if f.name == owner).error = str(exc)
                context["error"] = "Check the field marked below."
    # 200 even when the form says what to fix: the page is fine (a browser logs every 4xx page as an error).
    return await workbench_page(request, "workbench/query.html.j2", active="queries",
                                title=query.title or query.name, **context, **_scripts())


def _form_params(given: dict[str, str]) -> list[tuple[str, str]]:
    return list(given.items())


async def saved_query_view(request: Request) -> Response:
    endpoint = request.app.state.endpoint
    query = _saved(request.path_params["name"])
    if query is None:
        return _small_page(404, "no such saved query")
    try:
        text, _notes = await run_in_threadpool(_bind, query, _given(request, query), endpoint)
    except TimelineError as exc:
        return _small_page(400, str(exc))
    return await view_response(request, text, query.title or query.name)


@dataclass
class Links:
    view: str
    tabs: list[tuple[str, str, str]]  # (key, label, href)
    frame: str  # the --view page for the frame, or ""
    downloads: list[tuple[str, str, str]]  # (label, href, filename)


def result_links(base: str, params: list[tuple[str, str]], form: str, view: str, stem: str) -> Links:
    """The links under a result: the table, timeline and graph views (SELECT only), and the downloads."""
    view = view if view in VIEWS and form == "SELECT" else "table"
    tabs = []
    if form == "SELECT":
        tabs = [(key, f"As a {key}", f"{base}?{urlencode([*params, ('run', '1'), ('view', key)])}#result")
                for key in VIEWS]
    frame = f"{base}/view?{urlencode([*params, ('view', view)])}" if view != "table" else ""
    formats = GRAPH_FORMATS if form in GRAPH_FORMS else RESULT_FORMATS
    downloads = [(LABELS[f.key], f"{base}?{urlencode([*params, ('download', f.key)])}",
                  f"{stem}.{EXTENSIONS[f.key]}") for f in formats]
    return Links(view, tabs, frame, downloads)


# ------------------------------------------------------------ the editor


def _editor_error(message: str) -> dict:
    """The error to show, and its line and column when the engine gave them (for the editor's marker)."""
    match = _POSITION.match(message)
    if match:
        return {"message": match.group(3), "line": int(match.group(1)), "column": int(match.group(2))}
    return {"message": message, "line": None, "column": None}


async def editor(request: Request) -> Response:
    """``/editor?query=...``: the editor; with ``run``, the answer under it; with ``download``, the file."""
    endpoint = request.app.state.endpoint
    params = request.query_params
    text = params.get("query", "")
    if len(text) > MAX_QUERY:
        return _small_page(414, f"the query is longer than {MAX_QUERY} characters")
    context = {"text": text or EDITOR_EXAMPLE, "error": None, "result": None, "links": None,
               "prefixes": sorted(namespaces.PREFIXES.items())}
    if text and ("run" in params or "download" in params or "view" in params):
        try:
            if "download" in params:
                return await download(endpoint, text, params["download"], "query")
            result = await run_result(endpoint, text)
            context["result"] = await run_in_threadpool(shown, result, endpoint.catalog)
            context["links"] = result_links("/editor", [("query", text)], result.form, params.get("view", "table"),
                                            "query")
        except HttpError as exc:
            context["error"] = _editor_error(exc.message)
    body = await run_in_threadpool(lambda: render_page("workbench/editor.html.j2", case_title=endpoint.case_title,
                                                       active="editor", **context, **_scripts(editor=True)))
    return page_response(body, csp=_editor_csp())  # 200 with an error too: the page says what to fix


async def editor_view(request: Request) -> Response:
    text = request.query_params.get("query", "")
    if not text or len(text) > MAX_QUERY:
        return _small_page(400, "no query, or a query too long to draw")
    return await view_response(request, text, "Query result")


_EDITOR_CSP: list[str] = []


def _editor_csp() -> str:
    """The editor page's policy, computed once: its scripts never depend on the request (the query is text in a
    textarea), and hashing the inlined CodeMirror bundle on every request would be wasted work."""
    if not _EDITOR_CSP:
        _EDITOR_CSP.append(page_csp(render_page("workbench/editor.html.j2", text="", error=None, result=None,
                                                links=None, prefixes=[], **_scripts(editor=True))))
    return _EDITOR_CSP[0]


def _scripts(editor: bool = False) -> dict[str, Any]:
    """The page's own script and style, and with ``editor`` the CodeMirror bundle and its notices."""
    from markupsafe import Markup

    from timeline.render import assets

    out: dict[str, Any] = {"query_js": own_file("workbench-query.js", "</script"),
                                                "query_css": own_file("workbench-query.css", "</style")}
    if editor:
        try:
            # safe: the bundle built from the lockfile, with any closing script tag escaped by read_editor
            out["editor_js"] = Markup(assets.read_editor())
            out["editor_notices"] = assets.editor_notices()
        except TimelineError:  # the page still works: a plain textarea
            out["editor_js"], out["editor_notices"] = Markup(""), ()
    return out


# ------------------------------------------------------------ the path finder


@dataclass
class PathForm:
    start: str
    end: str
    hops: int
    errors: dict[str, str] = field(default_factory=dict)


def _find_paths(catalog, form: PathForm) -> tuple[list, str, str]:
    """The ``path`` command's answer (:func:`timeline.views.network.paths`) for the form; errors by field."""
    from timeline.views.model import resolve_entity
    from timeline.views.network import paths

    ends = {}
    for key, value in (("from", form.start), ("to", form.end)):
        try:
            ends[key] = resolve_entity(catalog.view, value)
        except TimelineError as exc:
            form.errors[key] = str(exc)
    if form.errors:
        return [], "", ""
    try:
        found = paths(catalog.view, ends["from"].id, ends["to"].id, max_hops=form.hops, limit=5)
    except TimelineError as exc:
        form.errors["from" if ends["from"].id in str(exc) else "to"] = str(exc)
        return [], "", ""
    return found, ends["from"].label, ends["to"].label


def hop_source_url(citation) -> str:
    return source_url(citation.source, citation.start, citation.start + len(citation.quote))


async def path_page(request: Request) -> Response:
    endpoint = request.app.state.endpoint
    params = request.query_params
    hops_text = params.get("hops", "4")
    hops = int(hops_text) if re.fullmatch(r"[1-8]", hops_text) else 4  # ASCII: isdigit() takes "²"
    form = PathForm(params.get("from", "").strip(), params.get("to", "").strip(), hops)
    if hops_text != str(hops):
        form.errors["hops"] = "the hop limit is a whole number from 1 to 8"
    found, labels, asked = [], ("", ""), bool(form.start and form.end)
    if asked and endpoint.catalog is None:
        form.errors["from"] = "the case's pages are not available on this server"
    elif asked and not form.errors:
        found, a, b = await run_in_threadpool(_find_paths, endpoint.catalog, form)
        labels = (a, b)
    return await workbench_page(request, "workbench/path.html.j2", active="path", form=form, asked=asked,
                                found=found, labels=labels, entity_url=entity_url, event_url=event_url,
                                hop_source_url=hop_source_url, **_scripts())


def routes() -> list[Route]:
    return [
        Route("/queries/", list_queries, methods=["GET"]),
        Route("/queries/{name}", saved_query, methods=["GET"]),
        Route("/queries/{name}/view", saved_query_view, methods=["GET"]),
        Route("/editor", editor, methods=["GET"]),
        Route("/editor/view", editor_view, methods=["GET"]),
        Route("/path", path_page, methods=["GET"]),
    ]
