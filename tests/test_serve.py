"""`timeline serve`: the read-only SPARQL 1.1 endpoint and the pages, over real HTTP on 127.0.0.1.

SPARQLWrapper is the client where it can be (it is how analysts reach endpoints
from Python); urllib checks what SPARQLWrapper hides (status codes, headers).
Every server (the Starlette application on uvicorn, as `timeline serve` runs it)
listens on 127.0.0.1 on a free port, runs in a thread and is shut down after its
test or module. tests/test_serve_protocol.py has the protocol's dataset
parameters and the other standard clients.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from servers import timeline_server

from timeline.query.results import to_csv, to_json
from timeline.query.saved_queries import saved_queries
from timeline.serve import make_server, negotiate, refused
from timeline.stores import open_store

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import (  # noqa: E402 - after the skip check
    CSV,
    JSON,
    POST,
    POSTDIRECTLY,
    TURTLE,
    URLENCODED,
    XML,
)

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EVENTS = """SELECT ?event ?label ?date WHERE {
  ?event a tl:Event ; rdfs:label ?label ; tl:dateLabel ?date .
} ORDER BY ?event"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def store(graph):
    return open_store(graph)


@pytest.fixture(scope="module")
def server(store):
    with timeline_server(store) as srv:
        yield srv


def wrapper(server, query: str, fmt=JSON):
    sparql = SPARQLWrapper.SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def get(server, query: str, accept: str | None = None, **params):
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query, **params})
    return fetch(url, headers={"Accept": accept} if accept else {})


def expected_json(store, query: str) -> dict:
    return json.loads(to_json(store.query(query)))


# ------------------------------------------------------------ SPARQLWrapper as the client


def test_select_json_equals_the_store(server, store) -> None:
    answer = wrapper(server, EVENTS).queryAndConvert()
    assert answer == expected_json(store, EVENTS)
    assert len(answer["results"]["bindings"]) >= 10


def test_saved_query_with_typed_values_equals_the_store(server, store) -> None:
    text = saved_queries()["co-participation"].text.replace("?min", "2")
    answer = wrapper(server, text).queryAndConvert()
    assert answer == expected_json(store, text)
    shared = answer["results"]["bindings"][0]["shared"]
    assert shared["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_xml_results(server, store) -> None:
    document = wrapper(server, EVENTS, XML).queryAndConvert()
    results = document.getElementsByTagName("result")
    expected = store.query(EVENTS)
    assert len(results) == len(expected.rows)
    first = {b.getAttribute("name"): b.firstChild.firstChild.data for b in results[0].getElementsByTagName("binding")}
    assert first == expected.records()[0]


def test_csv_results(server, store) -> None:
    body = wrapper(server, EVENTS, CSV).queryAndConvert()
    assert body.decode("utf-8") == to_csv(store.query(EVENTS))


def test_ask(server) -> None:
    assert wrapper(server, "ASK { ?e a tl:Event }").queryAndConvert() == {"head": {}, "boolean": True}
    assert wrapper(server, "ASK { ?e a tl:NoSuchClass }").queryAndConvert()["boolean"] is False


def test_construct_as_turtle_parsed_by_rdflib(server, store) -> None:
    import rdflib

    query = "CONSTRUCT { ?e rdfs:label ?label } WHERE { ?e a tl:Event ; rdfs:label ?label }"
    sparql = wrapper(server, query, TURTLE)
    response = sparql.query()
    assert response.response.headers["Content-Type"].startswith("text/turtle")
    parsed = rdflib.Graph().parse(data=response.convert(), format="turtle")
    expected = {(s.value, p.value, o.value) for s, p, o in store.query(query).triples}
    assert {(str(s), str(p), str(o)) for s, p, o in parsed} == expected
    assert len(expected) >= 10


@pytest.mark.parametrize("how", [POSTDIRECTLY, URLENCODED])
def test_post(server, store, how) -> None:
    sparql = wrapper(server, EVENTS)
    sparql.setMethod(POST)
    sparql.setRequestMethod(how)
    assert sparql.queryAndConvert() == expected_json(store, EVENTS)


# ------------------------------------------------------------ the protocol over plain HTTP


def test_get_with_query_string_defaults_to_json_and_allows_cors(server, store) -> None:
    status, headers, body = get(server, EVENTS)
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body) == expected_json(store, EVENTS)


def test_post_bodies_over_http(server, store) -> None:
    url = server.url + "/sparql"
    direct = fetch(url, EVENTS.encode(), {"Content-Type": "application/sparql-query; charset=utf-8"})
    form = fetch(url, urllib.parse.urlencode({"query": EVENTS}).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    for status, _headers, body in (direct, form):
        assert status == 200
        assert json.loads(body) == expected_json(store, EVENTS)
    assert fetch(url, b"x", {"Content-Type": "text/plain"})[0] == 415


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
])
def test_accept_for_select(server, accept, media) -> None:
    status, headers, _body = get(server, EVENTS, accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media


@pytest.mark.parametrize(("accept", "media"), [
    (None, "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
])
def test_accept_for_construct(server, accept, media) -> None:
    status, headers, body = get(server, "CONSTRUCT WHERE { ?c a tl:Case }", accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media
    assert b"Case" in body


def test_format_parameter_overrides_accept(server) -> None:
    status, headers, body = get(server, "ASK { ?s ?p ?o }", "application/sparql-results+json", format="csv")
    assert (status, headers["Content-Type"].split(";")[0], body) == (200, "text/csv", b"boolean\r\ntrue\r\n")
    assert get(server, "ASK { ?s ?p ?o }", format="turtle")[0] == 406


def test_unsupported_accept_is_406(server) -> None:
    status, _headers, body = get(server, EVENTS, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body
    assert get(server, EVENTS, "text/turtle")[0] == 406  # a graph format for a SELECT
    assert get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "text/csv")[0] == 406


def test_negotiation_rules() -> None:
    assert negotiate(None, [], "SELECT").key == "json"
    assert negotiate("application/json", [], "SELECT").key == "json"
    assert negotiate("text/*;q=0.9, application/sparql-results+xml;q=0.8", [], "SELECT").key == "csv"
    assert negotiate("application/xml", [], "CONSTRUCT").key == "rdfxml"
    assert negotiate("*/*;q=0.1, text/csv;q=0", [], "ASK").key == "json"
    assert negotiate("", ["tsv", "text/tab-separated-values"], "SELECT").key == "tsv"  # as SPARQLWrapper sends it
    assert negotiate("", ["n3"], "DESCRIBE").key == "turtle"


def test_bad_sparql_is_400_with_line_and_column(server) -> None:
    status, headers, body = get(server, "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert status == 400
    assert headers["Access-Control-Allow-Origin"] == "*"
    text = body.decode()
    assert re.match(r"query:\d+:\d+: SPARQL syntax error: ", text), text
    assert text.count("\n") == 1
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed):
        wrapper(server, "SELECT ?s WHERE { ?s ?p }").queryAndConvert()


def test_unknown_prefix_points_at_the_place(server) -> None:
    status, _headers, body = get(server, "SELECT ?x WHERE { ?x nope:thing ?y }")
    assert status == 400
    assert re.match(rb"query:1:\d+: SPARQL syntax error: unknown prefix", body), body


def test_missing_empty_and_duplicate_queries_are_400(server) -> None:
    assert fetch(server.url + "/sparql")[0] == 400
    assert get(server, "  # nothing\n")[0] == 400
    assert fetch(server.url + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400
    assert get(server, "ASK {}", **{"using-graph-uri": "http://example.org/g"})[0] == 400  # an update's parameter
    assert get(server, "ASK {}", **{"default-graph-uri": "not an IRI"})[0] == 400
    status, _headers, body = fetch(server.url + "/sparql?query=%FF")  # not UTF-8
    assert status == 400 and body.count(b"\n") == 1


def test_unknown_path_is_404(server) -> None:
    assert fetch(server.url + "/nope")[0] == 404
    assert fetch(server.url + "/sparql/extra")[0] == 404
    assert fetch(server.url + "/queries", b"x", {"Content-Type": "text/plain"})[0] == 405


def test_cors_preflight(server) -> None:
    status, headers, _body = fetch(server.url + "/sparql", method="OPTIONS",
                                   headers={"Origin": "http://example.org",
                                            "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


# ------------------------------------------------------------ read-only


def test_update_is_refused_and_the_graph_is_unchanged(server, store) -> None:
    before = json.loads(get(server, COUNT)[2])
    insert = "INSERT DATA { <http://example.org/x> <http://example.org/p> 'x' }"
    url = server.url + "/sparql"
    attempts = [
        fetch(url + "?" + urllib.parse.urlencode({"query": insert})),
        fetch(url + "?" + urllib.parse.urlencode({"update": insert})),
        fetch(url, urllib.parse.urlencode({"update": insert}).encode(),
              {"Content-Type": "application/x-www-form-urlencoded"}),
        fetch(url, insert.encode(), {"Content-Type": "application/sparql-update"}),
        fetch(url, b"DELETE WHERE { ?s ?p ?o }", {"Content-Type": "application/sparql-query"}),
        fetch(url + "?" + urllib.parse.urlencode({"query": "CLEAR ALL"})),
    ]
    for status, _headers, body in attempts:
        assert status == 403
        assert body.decode().count("\n") == 1 and "read-only" in body.decode()
    sparql = wrapper(server, insert)
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as caught:
        sparql.query()
    assert caught.value.code == 403
    assert json.loads(get(server, COUNT)[2]) == before
    assert get(server, "ASK { <http://example.org/x> ?p ?o }")[2] == b'{"head": {}, "boolean": false}\n'
    assert len(store) == int(before["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p true SERVICE<http://127.0.0.1:9/>{ ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p trueSERVICE<http://127.0.0.1:9/>{ ?a ?b ?c } }",
    "PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEx:y { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o.sErViCe <http://127.0.0.1:9/> { ?a ?b ?c } }",
])
def test_federated_queries_are_refused(server, query) -> None:
    status, _headers, body = get(server, query)
    assert status == 403
    assert b"SERVICE" in body


def test_service_check_ignores_strings_variables_and_local_names() -> None:
    assert refused("SELECT ?service WHERE { ?service rdfs:label 'SERVICE' } # SERVICE", False) is None
    assert refused("SELECT * WHERE { ?s ex:service <http://example.org/SERVICE> }", False) is None
    assert refused("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", False) is None
    assert refused("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", True)
    assert refused(r"SELECT * WHERE { S\u0045RVICE <http://x/> { ?s ?p ?o } }", False)


# ------------------------------------------------------------ limits


def test_timeout_stops_a_heavy_query_and_the_server_goes_on(store) -> None:
    with timeline_server(store, timeout=0.5, pages=False) as srv:
        before = srv.engine.pids()
        started = time.monotonic()
        status, _headers, body = get(srv, HEAVY)
        elapsed = time.monotonic() - started
        assert status in (503, 408)
        assert b"time limit of 0.5 s" in body
        assert elapsed < 5
        status, _headers, body = get(srv, COUNT)
        assert status == 200 and json.loads(body)["results"]["bindings"]
        if srv.engine.isolation == "process":  # the overrunning worker is gone, a fresh one took its place
            after = srv.engine.pids()
            assert len(after) == len(before)
            gone = set(before) - set(after)
            assert len(gone) == 1
            with pytest.raises(ProcessLookupError):
                os.kill(gone.pop(), 0)


def test_timeout_with_thread_isolation(store) -> None:
    # A query that streams rows for a long time: the thread stops at the next row.
    with timeline_server(store, timeout=0.5, pages=False, isolation="thread", max_rows=None) as srv:
        started = time.monotonic()
        status, _headers, body = get(srv, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert status == 503 and b"time limit" in body
        assert time.monotonic() - started < 5
        assert get(srv, COUNT)[0] == 200
        deadline = time.monotonic() + 5
        while any(t.name == "timeline-query" for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(t.name == "timeline-query" for t in threading.enumerate())


def test_result_size_limit(store) -> None:
    with timeline_server(store, max_rows=5, pages=False) as srv:
        status, _headers, body = get(srv, "SELECT ?s WHERE { ?s ?p ?o }")
        assert status == 503
        assert b"more than 5 rows" in body
        status, _headers, body = get(srv, "CONSTRUCT WHERE { ?s ?p ?o }")
        assert status == 503 and b"more than 5 triples" in body
        assert get(srv, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")[0] == 200
        assert get(srv, "ASK { ?s ?p ?o }")[0] == 200


def test_memory_backend_in_threads(graph) -> None:
    memory = open_store(graph, "memory")
    with timeline_server(memory, pages=False, isolation="thread", max_rows=5) as srv:
        status, _headers, body = get(srv, "SELECT ?c WHERE { ?c a tl:Case }")
        assert status == 200 and json.loads(body) == expected_json(memory, "SELECT ?c WHERE { ?c a tl:Case }")
        assert b"more than 5 rows" in get(srv, "SELECT * WHERE { ?s ?p ?o }")[2]
        assert get(srv, "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")[0] == 403  # rdflib would fetch it


# ------------------------------------------------------------ pages, index, saved queries


def test_pages(server) -> None:
    for path in ("/timeline.html", "/graph.html", "/story.html"):
        status, headers, body = fetch(server.url + path)
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert body.startswith(b"<!DOCTYPE html>")
    status, headers, body = fetch(server.url + "/")  # the workbench's home links to the pages and the endpoint
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for link in (b'href="/timeline.html"', b'href="/graph.html"', b'href="/story.html"', b'href="/endpoint"'):
        assert link in body
    status, headers, body = fetch(server.url + "/endpoint")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for link in (b'href="/timeline.html"', b'href="/graph.html"', b'href="/story.html"', b'href="/sparql"',
                 b'href="/queries"'):
        assert link in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_pages_off(store) -> None:
    with timeline_server(store, pages=False) as srv:
        assert fetch(srv.url + "/timeline.html")[0] == 404
        assert b"switched off" in fetch(srv.url + "/")[2]  # no workbench: the endpoint's page
        assert fetch(srv.url + "/entity/ice")[0] == 404


def test_saved_queries_list(server) -> None:
    status, headers, body = fetch(server.url + "/queries")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    listed = {q["name"]: q for q in json.loads(body)}
    assert set(listed) == set(saved_queries())
    assert listed["actor-timeline"]["params"][0]["name"] == "actor"
    assert "SELECT" in listed["actor-timeline"]["query"]


def test_index_escapes_what_it_shows(store, monkeypatch) -> None:
    import timeline.serve.app as app_module

    hostile = SimpleNamespace(pages={}, error=None, case_title="<script>alert(1)</script>", catalog=None)
    monkeypatch.setattr(app_module, "CasePages", lambda _store: hostile)
    with timeline_server(store) as srv:
        body = fetch(srv.url + "/endpoint")[2]
    assert b"<script>" not in body and b"&lt;script&gt;" in body


# ------------------------------------------------------------ concurrency and logging


def test_fifty_queries_from_eight_threads(server, store) -> None:
    texts = [EVENTS, COUNT, "ASK { ?e a tl:Event }", saved_queries()["who-met-whom"].text]
    expected = {t: expected_json(store, t) for t in texts}

    def one(i: int):
        text = texts[i % len(texts)]
        status, _headers, body = get(server, text)
        return status, json.loads(body) == expected[text]

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(50)))
    assert outcomes == [(200, True)] * 50


# The Common Log Format (host ident user [time] "request" status bytes) and the milliseconds taken.
CLF = r'127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "%s" %s (\d+|-) \d+'


def test_one_log_line_per_request_without_the_query(store, capsys) -> None:
    with timeline_server(store, pages=False, quiet=False) as srv:
        get(srv, "SELECT ?secret WHERE { ?secret ?p ?o } LIMIT 1")
        fetch(srv.url + "/nope")
        fetch(srv.url + '/we"ird%0A', method="HEAD")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("127.0.0.1 ")]
    assert len(lines) == 3
    assert re.fullmatch(CLF % ("GET /sparql HTTP/1.1", 200), lines[0]), lines[0]
    assert re.fullmatch(CLF % ("GET /nope HTTP/1.1", 404), lines[1]), lines[1]
    assert re.fullmatch(CLF % (r"HEAD /we\\x22ird%0A HTTP/1.1", 404), lines[2]), lines[2]  # one field, one line
    assert "secret" not in "".join(lines)


def test_listens_on_localhost_by_default(store) -> None:
    server = make_server(store, pages=False, quiet=True)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        server.server_close()


# ------------------------------------------------------------ other stores, and serve() as the CLI runs it


def test_on_disk_store(graph, tmp_path) -> None:
    import timeline.stores as store_module

    if not hasattr(store_module, "build_disk_store"):
        pytest.skip("no on-disk store in timeline.stores")
    store_module.build_disk_store(graph, tmp_path / "store")
    disk = open_store(tmp_path / "store")
    expected = expected_json(disk, EVENTS)
    with timeline_server(disk, timeout=0.5, pages=False, workers=1) as srv:
        assert json.loads(get(srv, EVENTS)[2]) == expected
        assert get(srv, HEAVY)[0] == 503  # the worker is killed and a new one opens the store
        assert json.loads(get(srv, EVENTS)[2]) == expected
        extra = b"<http://example.org/x> <http://example.org/p> \"x\" <http://example.org/g> .\n"
        store_module.build_disk_store(graph.read_bytes() + extra, tmp_path / "store")
        assert get(srv, HEAVY)[0] == 503  # the next worker finds the store rebuilt
        status, _headers, body = get(srv, EVENTS)
        assert status == 503 and b"rebuilt" in body
    if hasattr(disk, "close"):
        disk.close()


def test_serve_runs_until_ctrl_c(graph) -> None:
    marker = f"serve-until-ctrl-c-{os.getpid()}"  # in the command line of the server, its zygote and workers
    # SIGUSR1 dumps the server's threads: if it ever fails to stop, the failure shows where it hangs.
    code = ("import faulthandler, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
            "from timeline.serve import serve; from timeline.stores import open_store; "
            f"serve(open_store(sys.argv[1]), pages=False)  # {marker}")
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    # As from a terminal: a suite run as a background job (`cmd &`) hands its children SIGINT ignored.
    process = subprocess.Popen([sys.executable, "-c", code, str(graph)], stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        banner = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/ \(SPARQL endpoint \1/sparql", banner)
        assert match, banner
        status, _headers, body = fetch(match.group(1) + "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
        assert status == 200 and json.loads(body)["results"]["bindings"]
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)
            time.sleep(1)
            process.kill()
            process.wait()
            os.set_blocking(process.stderr.fileno(), False)  # its zygote may still hold the pipe open
            pytest.fail("the server did not stop within 10 s of Ctrl-C; its threads:\n" + (process.stderr.read() or ""))
        assert process.returncode == 0
        log = process.stderr.read()
        assert re.search("^" + CLF % ("GET /sparql HTTP/1.1", 200) + "$", log, re.MULTILINE), log
        assert "Traceback" not in log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the zygote and the workers follow the server out
        left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
        if not left:
            break
        time.sleep(0.1)
    assert not left


def test_port_in_use_is_a_one_line_error(server, store) -> None:
    from timeline.errors import TimelineError

    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(TimelineError, match=rf"cannot listen on 127\.0\.0\.1 port {port}: "):
        make_server(store, port=port, pages=False, quiet=True)


def test_workers_cannot_reach_the_network_even_past_the_service_check(store, monkeypatch) -> None:
    import socket

    import timeline.serve.app as app_module

    monkeypatch.setattr(app_module, "refused", lambda text, remote_from: None)  # as if the check missed it
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        with timeline_server(store, pages=False) as srv:
            if srv.engine.isolation != "process":
                pytest.skip("the sandbox is for worker processes")
            status, _headers, body = get(srv, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> "
                                              "{ ?s ?p ?o } }")
        assert status != 200, body
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called
    finally:
        listener.close()


# ------------------------------------------------------------ the HTTP stack: headers, limits, concurrency, shutdown


def test_every_answer_has_the_security_headers(server) -> None:
    answers = {
        "page": fetch(server.url + "/timeline.html"),
        "index": fetch(server.url + "/"),
        "endpoint": fetch(server.url + "/endpoint"),
        "entity": fetch(server.url + "/entity/ice"),
        "results": get(server, "ASK { ?s ?p ?o }"),
        "bad query": get(server, "SELECT nonsense"),
        "not found": fetch(server.url + "/nope"),
        "wrong method": fetch(server.url + "/queries", b"x", {"Content-Type": "text/plain"}),
        "preflight": fetch(server.url + "/sparql", method="OPTIONS"),
        "saved queries": fetch(server.url + "/queries"),
    }
    for what, (_status, headers, _body) in answers.items():
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Referrer-Policy"] == "no-referrer", what
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy, what
        assert "'unsafe-eval'" not in policy, what
    assert "sandbox" in answers["results"][1]["Content-Security-Policy"]  # data never runs as a page


def test_a_page_may_run_exactly_its_own_inline_scripts(server) -> None:
    import base64
    import hashlib

    for path in ("/timeline.html", "/graph.html", "/story.html"):
        _status, headers, body = fetch(server.url + path)
        scripts = re.findall(rb"<script>(.*?)</script>", body, re.DOTALL)  # the pages' scripts have no attributes
        assert scripts, path
        expected = {"'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'" for s in scripts}
        directive = re.search(r"script-src ([^;]+)", headers["Content-Security-Policy"]).group(1)
        assert set(directive.split()) == expected, path  # no 'unsafe-inline', no host, nothing else


def test_a_slow_query_does_not_hold_up_other_requests(store) -> None:
    with timeline_server(store, timeout=3, workers=2) as srv, ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(get, srv, HEAVY) for _ in range(2)]  # both query workers busy for 3 s
        time.sleep(0.3)
        for path in ("/", "/queries", "/timeline.html", "/graph.html", "/story.html"):
            started = time.monotonic()
            status, _headers, _body = fetch(srv.url + path)
            assert status == 200 and time.monotonic() - started < 1.0, path
        assert not any(f.done() for f in slow)  # the pages were answered while both queries ran
        assert [f.result()[0] for f in slow] == [503, 503]
        assert get(srv, COUNT)[0] == 200


def test_query_workers_run_at_a_lower_cpu_priority_than_the_pages(store) -> None:
    """On two cores, two busy query workers at the server's own priority would take two thirds of the CPU from
    the pages; niced, they take what the pages leave."""
    from timeline.serve.zygote import QUERY_NICENESS

    with timeline_server(store, workers=2) as srv:
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        pids = srv.engine.pids()
        assert pids and {os.getpriority(os.PRIO_PROCESS, p) for p in pids} == {min(19, mine + QUERY_NICENESS)}
        assert get(srv, COUNT)[0] == 200


def test_serve_freezes_what_start_up_made_so_collections_never_walk_it(store, monkeypatch) -> None:
    """A full collection walking the case's indexes paused every request in flight (0.3 s at 10,000 events)."""
    import gc

    from timeline.serve import server as server_module

    seen = []
    monkeypatch.setattr(server_module.Server, "serve_forever", lambda self: seen.append(gc.get_freeze_count()))
    gc.unfreeze()
    try:
        server_module.serve(store, port=0, quiet=True, workers=1)
    finally:
        gc.unfreeze()
    assert seen and seen[0] > 0


def test_head_sends_no_body_and_a_large_body_is_413(server) -> None:
    status, headers, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": COUNT}), method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Type"] == "application/sparql-results+json"
    # Refused on its Content-Length, before the body is sent (a client sending it would find the connection closed).
    import http.client

    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/sparql")
        connection.putheader("Content-Type", "application/sparql-query")
        connection.putheader("Content-Length", str((1 << 20) + 1))
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()


def test_a_long_query_in_a_get_url(server, store) -> None:
    padding = "# " + "x" * 20_000 + "\n"  # a 20 kB URL, as a generated VALUES list makes
    status, _headers, body = get(server, padding + EVENTS)
    assert status == 200 and json.loads(body) == expected_json(store, EVENTS)


def test_a_host_other_machines_reach_needs_public(store) -> None:
    from timeline.errors import TimelineError

    for host in ("0.0.0.0", "::", "192.0.2.1", "example.org"):
        with pytest.raises(TimelineError, match=r"can be reached from other machines.*public=True"):
            make_server(store, host=host, pages=False, quiet=True)
    for host in ("127.0.0.1", "localhost", "::1"):
        try:
            server = make_server(store, host=host, pages=False, quiet=True)
        except TimelineError as exc:  # a machine without IPv6
            assert host == "::1" and "cannot listen" in str(exc)
            continue
        server.server_close()


def _cli_server(graph: Path, *options: str) -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    return subprocess.Popen([sys.executable, "-m", "timeline.cli", "serve", "--graph", str(graph), *options],
                            stderr=subprocess.PIPE, text=True, env=env)


def test_cli_refuses_a_public_host_without_public(graph) -> None:
    process = _cli_server(graph, "--host", "0.0.0.0", "--port", "0")
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert err.strip().splitlines() == ["timeline: error: 0.0.0.0 can be reached from other machines, not only "
                                        "this one; pass --public to listen there anyway"]


def test_sigterm_lets_a_request_in_flight_finish_then_stops(graph) -> None:
    # --public on 0.0.0.0 for a few seconds: the warning is printed; the test talks to it over 127.0.0.1.
    process = _cli_server(graph, "--host", "0.0.0.0", "--public", "--port", "0", "--timeout", "2")
    try:
        banner, warning = process.stderr.readline(), process.stderr.readline()
        port = re.search(r"http://0\.0\.0\.0:(\d+)/ \(SPARQL endpoint", banner).group(1)
        assert warning.startswith("timeline serve: warning: listening on 0.0.0.0 (--public)"), warning
        url = f"http://127.0.0.1:{port}"
        pids = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert pids  # the zygote
        with ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(fetch, url + "/sparql?" + urllib.parse.urlencode({"query": HEAVY}))
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            with pytest.raises(urllib.error.URLError):  # no new connection once the signal came
                fetch(url + "/queries")
            status, _headers, body = in_flight.result(timeout=10)
        assert status == 503 and b"time limit of 2 s" in body  # answered in full, by its own time limit
        assert process.wait(10) == 0
        log = process.stderr.read()
        assert re.search(r'"GET /sparql HTTP/1\.1" 503 \d+ \d+$', log, re.MULTILINE), log
        assert "Traceback" not in log
        for pid in pids:  # the zygote and its workers followed the server out
            with pytest.raises(ProcessLookupError):
                os.kill(int(pid), 0)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.mark.parametrize("isolation", ["process", "thread"])
def test_requests_queue_for_the_workers_until_their_time_limit(store, isolation) -> None:
    texts = [EVENTS, COUNT, "ASK { ?e a tl:Event }"]
    with timeline_server(store, timeout=2, workers=1, isolation=isolation, max_rows=None) as srv:
        with ThreadPoolExecutor(8) as pool:  # eight requests for one worker: each waits its turn
            answers = list(pool.map(lambda i: get(srv, texts[i % 3]), range(16)))
        assert [a[0] for a in answers] == [200] * 16
        assert [json.loads(a[2]) for a in answers] == [expected_json(store, texts[i % 3]) for i in range(16)]
        if isolation == "thread":
            return  # a runaway step cannot be stopped in a thread: the rest is for processes
        with ThreadPoolExecutor(2) as pool:
            heavy = pool.submit(get, srv, HEAVY)
            time.sleep(0.3)
            started = time.monotonic()
            status, _headers, _body = get(srv, COUNT)  # waits until the heavy query's worker is killed and replaced
            assert status == 200 and time.monotonic() - started > 1.2
            assert heavy.result()[0] == 503
