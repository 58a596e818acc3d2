"""The store backends give the same answers; the on-disk store and push are safe; the remote client fails well.

Backends: rdflib in memory, pyoxigraph in memory, an on-disk Oxigraph store,
and a real ``oxigraph serve`` on 127.0.0.1 (tests/servers.py) after a push.
Every network request in this file goes to 127.0.0.1.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import free_port, http_server, oxigraph_binary, oxigraph_server, reply, self_signed_certificate
from test_saved_queries import PARAMS, run

from timeline.errors import TimelineError
from timeline.query import saved_queries
from timeline.query.sparql import SparqlError
from timeline.stores import (
    STORE_MARKER,
    MemoryStore,
    OxigraphDiskStore,
    OxigraphStore,
    ReadOnlyError,
    build_disk_store,
    is_store_dir,
    open_store,
)
from timeline.stores.push import push
from timeline.stores.remote import ENV_PASSWORD, ENV_USER, EndpointError, RemoteStore, oxigraph_urls

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/timeline/case/rekognition/"
FOREIGN = "http://example.org/other-project/graph"
JSON_ASK = b'{"head":{},"boolean":true}'
JSON_TYPES = "application/sparql-results+json"

needs_oxigraph = pytest.mark.skipif(oxigraph_binary() is None,
                                    reason="the oxigraph server binary is not installed (pip install oxigraph)")


@pytest.fixture(scope="module", autouse=True)
def _no_proxy_no_credentials():
    """Requests to 127.0.0.1 never go through a proxy; no credentials leak in from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        for name in (ENV_USER, ENV_PASSWORD, "SSL_CERT_FILE"):
            patch.delenv(name, raising=False)
        patch.setenv("NETRC", os.devnull)
        yield


@pytest.fixture(scope="module")
def built(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as srv:
        yield srv


@pytest.fixture
def fresh_server(tmp_path):
    """An empty in-memory server of its own, for tests that change what an endpoint holds."""
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path / "oxigraph", persistent=False) as srv:
        yield srv


@pytest.fixture(scope="module")
def disk_dir(built, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("disk") / "store"
    build_disk_store(built.read_bytes(), target)
    return target


@pytest.fixture(scope="module")
def stores(built, server, disk_dir, sample_quads) -> dict:
    summary = push(built, RemoteStore(server.query_url, server.update_url, server.store_url))
    assert summary.graphs == 7 and summary.triples == sample_quads
    return {"memory": open_store(built, "memory"), "oxigraph": open_store(built),
            "disk": open_store(disk_dir), "remote": open_store(server.query_url, timeout=30)}


def snapshot(directory: Path) -> dict[str, tuple[int, int, str]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(directory.iterdir())}


def quad_count(srv, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    store = RemoteStore(srv.query_url)
    return int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows[0]["n"].value)


def server_dataset(srv) -> str:
    request = urllib.request.Request(srv.store_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        quads = ox.parse(response.read(), format=ox.RdfFormat.N_QUADS)
    return canonical(quads)


def canonical(quads) -> str:
    dataset = ox.Dataset(list(quads))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(str(q) + "\n" for q in dataset))


# ------------------------------------------------------------------ the matrix


def test_every_saved_query_is_in_the_matrix() -> None:
    assert set(PARAMS) == set(saved_queries.saved_queries())


@needs_oxigraph
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_backend_gives_identical_answers(name: str, stores) -> None:
    answers = {backend: run(store, name) for backend, store in stores.items()}
    expected = answers["memory"]
    assert expected.rows or name in ("dates-from-outside",), f"{name} answers nothing: a weak check"
    for backend, result in answers.items():
        assert (result.variables, result.rows) == (expected.variables, expected.rows), backend


@needs_oxigraph
def test_ask_construct_and_describe_agree_across_backends(stores) -> None:
    queries = {
        "ASK": "ASK { ?e a tl:Event ; tl:inCase ?c }",
        "CONSTRUCT": "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a tl:Event ; rdfs:label ?l }",
        "DESCRIBE": "DESCRIBE ?e WHERE { ?e dcterms:identifier 'amazon-ice-meeting-2018-06' }",
    }
    for form, text in queries.items():
        results = {backend: store.query(text, where=form) for backend, store in stores.items()
                   if not (form == "DESCRIBE" and backend == "memory")}  # rdflib's DESCRIBE differs by design
        first = results["oxigraph"]
        assert first.form == form
        for backend, result in results.items():
            assert (result.boolean, sorted(result.triples)) == (first.boolean, sorted(first.triples)), (form, backend)
        assert first.boolean or first.triples


@needs_oxigraph
def test_the_remote_store_counts_and_lists_the_case_graphs(stores, sample_quads) -> None:
    remote = stores["remote"]
    assert len(remote) == len(stores["oxigraph"]) == sample_quads
    assert remote.graphs(BASE) == sorted({g.value for g in stores["oxigraph"].store.named_graphs()})
    assert remote.prefixes["event"] == BASE + "event/"


# ------------------------------------------------------------------ push


@needs_oxigraph
def test_push_twice_replaces_the_case_graphs_and_leaves_others_alone(built, fresh_server, sample_quads) -> None:
    endpoint = RemoteStore(**oxigraph_urls(fresh_server.base))
    endpoint.put_graph(FOREIGN, b'<http://example.org/s> <http://example.org/p> "kept" .\n')
    first = push(built, endpoint)
    after_one = quad_count(fresh_server)
    second = push(built, endpoint)
    assert quad_count(fresh_server) == after_one == sample_quads + 1
    assert (first.graphs, first.triples, first.removed) == (second.graphs, second.triples, []) == (7, sample_quads, [])
    assert quad_count(fresh_server, FOREIGN) == 1
    assert second.method == "graph store" and f"7 graphs ({sample_quads} triples)" in str(second)


@needs_oxigraph
def test_push_reads_a_store_directory_or_an_open_store_alike(built, disk_dir, fresh_server, sample_quads) -> None:
    endpoint = RemoteStore(**oxigraph_urls(fresh_server.base))
    expected = canonical(OxigraphStore.load(built).store)
    for source in (disk_dir, open_store(built, "memory"), built.read_bytes()):
        summary = push(source, endpoint)
        assert (summary.graphs, summary.triples, summary.skipped) == (7, sample_quads, 0), type(source)
        assert server_dataset(fresh_server) == expected


@needs_oxigraph
def test_push_by_update_in_chunks_gives_the_same_dataset(built, fresh_server, sample_quads) -> None:
    endpoint = RemoteStore(fresh_server.query_url, update_url=fresh_server.update_url)
    for _ in range(2):
        sent: list[tuple[int, int]] = []
        summary = push(built, endpoint, chunk_triples=400, progress=lambda *args, seen=sent: seen.append(args))
    assert summary.method == "update" and summary.requests > 14  # several chunks per graph
    assert sent[-1] == (sample_quads, sample_quads) and [done for done, _ in sent] == sorted(done for done, _ in sent)
    # Oxigraph stores xsd:nonNegativeInteger as xsd:integer, so compare with what a local pyoxigraph holds
    local = OxigraphStore.load(built).store
    assert server_dataset(fresh_server) == canonical(local)  # blank nodes (OWL lists) kept whole


@needs_oxigraph
def test_push_removes_graphs_the_case_no_longer_has_and_nothing_else(built, fresh_server) -> None:
    endpoint = RemoteStore(**oxigraph_urls(fresh_server.base))
    endpoint.put_graph(FOREIGN, b'<http://example.org/s> <http://example.org/p> "kept" .\n')
    push(built, endpoint)
    dropped = BASE + "graph/source/techrepublic-2018-05"
    smaller = b"".join(line for line in built.read_bytes().splitlines(keepends=True)
                       if not line.rstrip().endswith(f"<{dropped}> .".encode()))
    summary = push(smaller, endpoint)
    assert summary.removed == [dropped] and summary.graphs == 6
    assert dropped not in endpoint.graphs()
    assert quad_count(fresh_server, FOREIGN) == 1
    assert quad_count(fresh_server) == smaller.count(b"\n") + 1


def test_push_needs_a_way_to_write() -> None:
    with pytest.raises(TimelineError, match="push needs a Graph Store URL or an update URL"):
        push(b"", RemoteStore(f"http://127.0.0.1:{free_port()}/query"))


@needs_oxigraph
def test_an_empty_default_graph_gets_the_case_graphs_as_the_dataset(built, tmp_path, stores) -> None:
    with oxigraph_server(tmp_path / "plain", union_default_graph=False, persistent=False) as plain:
        summary = push(built, RemoteStore(**oxigraph_urls(plain.base)))
        assert "each query is answered with the case's 7 graphs as its dataset" in summary.how_to_query()
        remote = open_store(plain.query_url)
        assert remote.default_graphs == remote.named_graphs == tuple(remote.graphs(BASE)) and len(remote.graphs()) == 7
        assert run(remote, "corroboration").rows == run(stores["memory"], "corroboration").rows
        per_request = open_store(plain.query_url + "?union-default-graph")  # Oxigraph's own switch, kept
        assert per_request.default_graphs is None and "union-default-graph" in per_request.queried_by
        assert run(per_request, "corroboration").rows == run(stores["memory"], "corroboration").rows


@needs_oxigraph
def test_a_union_default_graph_is_used_only_while_it_holds_nothing_but_the_case(built, fresh_server,
                                                                                stores) -> None:
    assert stores["remote"].default_graphs is None  # the module's server: --union-default-graph, only the case
    assert "the union of its 7 named graphs" in stores["remote"].queried_by
    endpoint = RemoteStore(**oxigraph_urls(fresh_server.base))
    push(built, endpoint)
    endpoint.put_graph(FOREIGN, b'<http://example.org/s> <http://example.org/p> "x" .\n')
    shared = open_store(fresh_server.query_url)
    assert shared.default_graphs is not None and FOREIGN not in shared.default_graphs
    assert run(shared, "corroboration").rows == run(stores["memory"], "corroboration").rows


def test_a_base_url_is_resolved_by_the_server_header_and_an_unknown_server_asks_for_its_query_url() -> None:
    from timeline.stores.remote import endpoint_urls

    def answer(handler, server):
        reply(handler, 404, b"")  # http.server says "Server: BaseHTTP/..."

    with http_server(answer) as srv:
        with pytest.raises(EndpointError, match=r"does not know the layout of \(BaseHTTP.*give its SPARQL query URL"):
            open_store(srv.url)
        assert endpoint_urls(srv.url + "/sparql") == {"query_url": srv.url + "/sparql", "update_url": None,
                                                     "store_url": None}
        assert endpoint_urls(srv.url + "/ds/query-here")["query_url"] == srv.url + "/ds/query-here"


def test_a_dataset_in_the_url_is_sent_with_every_query_as_the_protocol_says() -> None:
    def answer(handler, server):
        reply(handler, 200, JSON_ASK, JSON_TYPES)

    graph = "http://example.org/g?x=1&y"
    with http_server(answer) as srv:
        query = urllib.parse.urlencode({"default-graph-uri": graph, "named-graph-uri": graph})
        store = RemoteStore(f"{srv.url}/sparql?timeout=5&{query}")
        assert store.query_url == f"{srv.url}/sparql?timeout=5" and store.default_graphs == (graph,)
        store.query("ASK { ?s ?p ?o }")
    sent = urllib.parse.parse_qs(srv.requests[0]["body"].decode("ascii"))
    assert sent["default-graph-uri"] == [graph] and sent["named-graph-uri"] == [graph]
    assert srv.requests[0]["path"] == "/sparql?timeout=5"


# ------------------------------------------------------------------ on-disk store


def test_open_store_recognises_each_kind_of_location(built, disk_dir, sample_quads) -> None:
    assert type(open_store(built)) is OxigraphStore
    assert type(open_store(built.parent)) is OxigraphStore  # a directory holding graph.nq
    disk = open_store(disk_dir)
    assert type(disk) is OxigraphDiskStore and not disk.writable
    assert is_store_dir(disk_dir) and not is_store_dir(built.parent)
    assert disk.info["quads"] == len(disk) == sample_quads and disk.info["graphs"] == 7
    assert disk.info["sha256"] == hashlib.sha256(built.read_bytes()).hexdigest()
    assert type(open_store(disk_dir, "memory")) is MemoryStore  # rdflib over the store's quads
    with pytest.raises(EndpointError, match="cannot connect"):  # a URL is an endpoint
        open_store(f"http://127.0.0.1:{free_port()}/query", timeout=2)
    with pytest.raises(TimelineError, match="no built graph here"):
        open_store(built.parent / "missing")


def test_a_query_never_modifies_the_store_directory(disk_dir) -> None:
    before = snapshot(disk_dir)
    store = open_store(disk_dir)
    second = open_store(disk_dir)  # readers share the directory
    for name in PARAMS:
        run(store, name)
    run(second, "corroboration")
    with pytest.raises(ReadOnlyError, match="opened read-only"):
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }")
    store.close()
    second.close()
    del store, second
    gc.collect()
    assert snapshot(disk_dir) == before


def test_a_writable_store_keeps_its_updates(built, tmp_path, sample_quads) -> None:
    target = tmp_path / "store"
    build_disk_store(built, target)  # from the file this time
    store = open_store(target, writable=True)
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> rdfs:label 'added' } }")
    store.save(target)
    store.close()
    reopened = open_store(target)
    assert reopened.query("ASK { <http://example.org/s> rdfs:label 'added' }").boolean
    assert len(reopened) == sample_quads + 1 and is_store_dir(target)


def test_a_failed_build_leaves_the_previous_store_and_no_temporary_directory(built, tmp_path) -> None:
    target = tmp_path / "store"
    build_disk_store(built.read_bytes(), target)
    expected = run(open_store(target), "corroboration").rows
    marker = (target / STORE_MARKER).read_bytes()
    broken = built.read_bytes() + b'<http://example.org/s> <http://example.org/p> "unterminated .\n'
    with pytest.raises(TimelineError, match="cannot build the store"):
        build_disk_store(broken, target)
    assert run(open_store(target), "corroboration").rows == expected
    assert (target / STORE_MARKER).read_bytes() == marker
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_failed_swap_puts_the_previous_store_back(built, tmp_path, monkeypatch, sample_quads) -> None:
    target = tmp_path / "store"
    build_disk_store(built.read_bytes(), target)
    real_rename = os.rename

    def rename(src, dst):
        if ".building-" in str(src):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr("timeline.stores.disk.os.rename", rename)
    with pytest.raises(OSError, match="No space left"):
        build_disk_store(built.read_bytes(), target)
    monkeypatch.undo()
    assert len(open_store(target)) == sample_quads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_refuses_to_replace_a_directory_that_is_not_a_store(built, tmp_path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(TimelineError, match="not a timeline store"):
        build_disk_store(built.read_bytes(), target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
import timeline.stores.disk as store
where = sys.argv[3]
if where == "before-swap":
    store._swap_in = lambda tmp, target: os.kill(os.getpid(), signal.SIGKILL)
else:  # between the two renames: the old store is aside, the new one not yet in place
    real = os.rename
    def rename(src, dst):
        real(src, dst)
        if ".previous-" in str(dst):
            os.kill(os.getpid(), signal.SIGKILL)
    store.os.rename = rename
store.build_disk_store(Path(sys.argv[1]).read_bytes(), Path(sys.argv[2]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("where", ["before-swap", "between-renames"])
def test_a_killed_build_leaves_the_previous_store_usable(built, tmp_path, where) -> None:
    target = tmp_path / "store"
    build_disk_store(built.read_bytes(), target)
    expected = run(open_store(target), "who-met-whom").rows
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    killed = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(built), str(target), where],
                            env=env, capture_output=True, timeout=60)
    assert killed.returncode == -9, killed.stderr.decode()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.startswith(".store.building-") for n in left), left  # the crash left its work behind
    if where == "between-renames":  # the one window: the previous store is complete, but set aside
        assert not target.exists() and any(n.startswith(".store.previous-") for n in left), left
    assert run(open_store(target), "who-met-whom").rows == expected  # open_store puts it back
    build_disk_store(built.read_bytes(), target)  # the next build tidies up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert run(open_store(target), "who-met-whom").rows == expected


# ------------------------------------------------------------------ remote errors


@needs_oxigraph
def test_a_syntax_error_is_one_line_with_the_same_position_as_locally(stores, server) -> None:
    for text in ("SELECT * WHERE {\n  ?s tl:label ?o ..\n}", "SELECT * WHERE { ?s nope:x ?o }"):
        with pytest.raises(SparqlError) as local:
            stores["oxigraph"].query(text, where="q.rq")
        with pytest.raises(SparqlError) as remote:
            stores["remote"].query(text, where="q.rq")
        message = str(remote.value)
        assert message.startswith(str(local.value)) and "\n" not in message
        assert f"HTTP 400 from {server.query_url}" in message
    assert str(local.value).startswith("q.rq:1:")


def test_a_jena_style_position_is_read_and_corrected_for_the_prefixes_we_add() -> None:
    def respond(handler, state):  # reports where "BAD" is in what it received, the way Fuseki words it
        query = urllib.parse.parse_qs(state.requests[-1]["body"].decode())["query"][0]
        line_number, line = next((n, text) for n, text in enumerate(query.splitlines(), 1) if "BAD" in text)
        reply(handler, 400, f'Encountered " <PNAME_LN> "BAD" at line {line_number}, column {line.index("BAD") + 1}.\n'
              .encode())

    with http_server(respond) as srv:
        store = RemoteStore(srv.url + "/ds/sparql")
        for text, position in (("SELECT * WHERE { BAD }", "1:18"), ("SELECT *\nWHERE {\n  BAD }", "3:3")):
            with pytest.raises(SparqlError) as error:
                store.query(text, where="q.rq")
            assert str(error.value).startswith(f"q.rq:{position}: SPARQL syntax error: Encountered"), str(error.value)


def test_an_unreachable_endpoint_fails_fast_naming_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    with pytest.raises(EndpointError) as error:
        RemoteStore(url, timeout=10).query("ASK {}")
    assert time.monotonic() - started < 3
    assert str(error.value).startswith(f"{url}: cannot connect")


def test_the_timeout_is_honoured_for_a_silent_and_a_trickling_server() -> None:
    def silent(handler, state):
        state.stop.wait(10)

    def trickle(handler, state):
        handler.send_response(200)
        handler.send_header("Content-Type", JSON_TYPES)
        handler.end_headers()
        for _ in range(100):
            if state.stop.wait(0.1):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    for respond in (silent, trickle):
        with http_server(respond) as srv:
            started = time.monotonic()
            with pytest.raises(EndpointError) as error:
                RemoteStore(srv.url + "/sparql", timeout=0.5).query("ASK {}")
            assert time.monotonic() - started < 2.5, respond.__name__
            assert str(error.value) == f"{srv.url}/sparql: no answer within 0.5 s"


def test_http_errors_are_one_line_with_the_server_message() -> None:
    def respond(handler, state):
        if "html" in handler.path:
            reply(handler, 200, b"<html><body>Please log in</body></html>", "text/html")
        elif "moved" in handler.path:
            handler.send_response(302)
            handler.send_header("Location", "http://127.0.0.1:1/elsewhere")
            handler.end_headers()
        else:
            reply(handler, 503, b"Query engine overloaded\nretry later\n")

    with http_server(respond) as srv:
        with pytest.raises(EndpointError) as error:
            RemoteStore(srv.url + "/query").query("ASK {}")
        assert str(error.value) == f"{srv.url}/query: HTTP 503 Service Unavailable: Query engine overloaded retry later"
        assert error.value.status == 503
        with pytest.raises(EndpointError, match="expected SPARQL results, got text/html"):
            RemoteStore(srv.url + "/html").query("ASK {}")
        with pytest.raises(EndpointError, match="HTTP 302: redirected to http://127.0.0.1:1/elsewhere"):
            RemoteStore(srv.url + "/moved").query("ASK {}")
        assert len(srv.requests) == 3  # the redirect was not followed


def test_updates_are_refused_unless_an_update_url_is_given() -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query")
    with pytest.raises(ReadOnlyError, match="SPARQL UPDATE"):
        store.query("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    with pytest.raises(ReadOnlyError, match="without an update URL"):
        store.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")


def test_get_and_post_send_the_values_block_and_the_prefixes() -> None:
    with http_server(lambda h, s: reply(h, 200, JSON_ASK, JSON_TYPES)) as srv:
        from timeline.query.results import Term

        for method in ("GET", "POST"):
            store = RemoteStore(srv.url + "/query?union-default-graph", method=method)
            assert store.query("ASK { ?e rdfs:label ?l }", {"l": Term.literal('say "hi"', lang="en")}).boolean
        get, post = srv.requests
        assert get["method"] == "GET" and get["path"].startswith("/query?union-default-graph&query=")
        assert post["method"] == "POST" and post["path"] == "/query?union-default-graph"
        sent = urllib.parse.parse_qs(post["body"].decode())["query"][0]
        assert sent == urllib.parse.parse_qs(urllib.parse.urlsplit(get["path"]).query)["query"][0]
        assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in sent.splitlines()[0]
        assert 'VALUES (?l) { ("say \\"hi\\""@en) }' in sent
        assert post["headers"]["Accept"].startswith(JSON_TYPES)


# ------------------------------------------------------------------ credentials and TLS


def test_credentials_from_the_environment_become_basic_auth(monkeypatch) -> None:
    password = "s3cret pässword"
    monkeypatch.setenv(ENV_USER, "analyst")
    monkeypatch.setenv(ENV_PASSWORD, password)

    def respond(handler, state):
        if "deny" in handler.path:
            reply(handler, 401, b"bad credentials")
        else:
            reply(handler, 200, JSON_ASK, JSON_TYPES)

    with http_server(respond) as srv:
        store = RemoteStore(srv.url + "/query")
        assert store.query("ASK {}").boolean
        expected = "Basic " + base64.b64encode(f"analyst:{password}".encode()).decode()
        assert srv.requests[0]["headers"]["Authorization"] == expected
        with pytest.raises(EndpointError) as error:
            RemoteStore(srv.url + "/deny").query("ASK {}")
        assert "HTTP 401" in str(error.value) and ENV_USER in str(error.value)
        for text in (str(error.value), repr(store)):
            assert password not in text and base64.b64encode(password.encode()).decode() not in text


def test_digest_is_learnt_without_a_body_and_answered_with_each_request(monkeypatch) -> None:
    """As Virtuoso's -auth endpoints: Basic refused without a challenge, Digest (MD5, qop=auth) asked for."""
    import hashlib

    monkeypatch.setenv(ENV_USER, "dba")
    monkeypatch.setenv(ENV_PASSWORD, "pw")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - the protocol's own hash

    def respond(handler, state):
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Digest "):
            f = urllib.request.parse_keqv_list(urllib.request.parse_http_list(auth[7:]))
            ha1, ha2 = md5(f"{f['username']}:SPARQL:{state.password}"), md5(f"{handler.command}:{f['uri']}")
            good = md5(f"{ha1}:n0nce:{f['nc']}:{f['cnonce']}:auth:{ha2}")
            if f["response"] == good and f["opaque"] == "0paque" and f["uri"] == handler.path:
                return reply(handler, 201, b"")
        if auth:  # Basic, or a wrong Digest: refused without saying how to do better
            return reply(handler, 401, b"")
        handler.send_response(401)
        handler.send_header("WWW-Authenticate", 'Digest realm="SPARQL", nonce="n0nce", opaque="0paque", '
                                                'stale="false", qop="auth", algorithm="MD5"')
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with http_server(respond) as srv:
        srv.password = "pw"
        store = RemoteStore(srv.url + "/sparql", store_url=srv.url + "/sparql-graph-crud-auth")
        for _ in range(2):
            store.put_graph("http://example.org/g", b"<http://example.org/s> <http://example.org/p> 1 .\n")
        seen = [(r["method"], r["headers"].get("Authorization", "-").split()[0], bool(r["body"])) for r in srv.requests]
        assert seen == [("HEAD", "Basic", False), ("HEAD", "-", False), ("HEAD", "Digest", False),
                        ("PUT", "Digest", True), ("PUT", "Digest", True)]  # no body sent to be refused
        counts = [r["headers"]["Authorization"].split("nc=")[1][:8] for r in srv.requests[2:]]
        assert counts == ["00000001", "00000002", "00000003"]  # one nonce, counted up
        srv.password = "another"
        srv.requests.clear()
        with pytest.raises(EndpointError, match="HTTP 401"):
            RemoteStore(srv.url + "/sparql", store_url=srv.url + "/sparql-graph-crud-auth").put_graph(
                "http://example.org/g", b"<http://example.org/s> <http://example.org/p> 1 .\n")
        assert [r["method"] for r in srv.requests] == ["HEAD"] * 3  # refused before any body went


def test_credentials_from_netrc(monkeypatch, tmp_path) -> None:
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine 127.0.0.1 login reader password from-netrc\n")
    netrc_file.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc_file))
    with http_server(lambda h, s: reply(h, 200, JSON_ASK, JSON_TYPES)) as srv:
        RemoteStore(srv.url + "/query").query("ASK {}")
        assert srv.requests[0]["headers"]["Authorization"] == "Basic " + base64.b64encode(b"reader:from-netrc").decode()


def test_credentials_never_in_urls_nor_sent_in_clear_to_another_host(monkeypatch) -> None:
    with pytest.raises(TimelineError, match="holds credentials; refused"):
        RemoteStore("http://user:pw@127.0.0.1:1/query")
    with pytest.raises(TimelineError, match="holds credentials; refused") as raised:  # no host: still not echoed
        RemoteStore("http://user:secret@/query")
    assert "secret" not in str(raised.value)
    monkeypatch.setenv(ENV_USER, "analyst")
    with pytest.raises(TimelineError, match="set both"):
        RemoteStore("http://127.0.0.1:1/query").query("ASK {}")
    monkeypatch.setenv(ENV_PASSWORD, "pw")
    store = RemoteStore("http://sparql.example.org/query")

    def no_network(*args, **kwargs):
        raise AssertionError("no request may be made")

    monkeypatch.setattr(store._opener, "open", no_network)
    with pytest.raises(TimelineError, match="refusing to send credentials over plain http"):
        store.query("ASK {}")


def test_tls_certificates_are_verified(tmp_path, monkeypatch) -> None:
    pair = self_signed_certificate(tmp_path)
    if pair is None:
        pytest.skip("the openssl command is not installed")
    with http_server(lambda h, s: reply(h, 200, JSON_ASK, JSON_TYPES), tls=pair) as srv:
        assert srv.url.startswith("https://127.0.0.1:")
        with pytest.raises(EndpointError, match="TLS certificate not trusted"):
            RemoteStore(srv.url + "/query", timeout=5).query("ASK {}")
        monkeypatch.setenv("SSL_CERT_FILE", str(pair[0]))  # the user's own CA, the documented way
        assert RemoteStore(srv.url + "/query", timeout=5).query("ASK {}").boolean
