"""Standard SPARQL servers as they come out of the box: push, push again, every saved query as locally.

Two real server implementations, each started here on 127.0.0.1 with its
default configuration (tests/servers.py) and stopped after:

* Oxigraph server (``oxigraph serve``, PyPI package ``oxigraph``): its default
  graph is empty, not the union of its named graphs;
* OpenLink Virtuoso (Debian's ``virtuoso-opensource``, installed by
  ``.ci/run``): a fresh database whose default graph is the union of every
  graph, its own system graphs included; pushing goes through its
  authenticated Graph Store (``/sparql-graph-crud-auth``) or SPARQL Update
  (``/sparql-auth``) endpoint with Digest authentication.

For each: ``timeline push`` with the server's base URL, a second push
without duplicates, then every saved query through the base URL answered as
the local store answers it. A server's tests are skipped only when its
binary is missing.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from servers import (
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    oxigraph_binary,
    oxigraph_server,
    virtuoso_binary,
    virtuoso_server,
)
from test_saved_queries import PARAMS, run

from timeline.cli import cli
from timeline.query import saved_queries
from timeline.query.results import QueryResult
from timeline.stores import open_store
from timeline.stores.push import push
from timeline.stores.remote import ENV_PASSWORD, ENV_USER, EndpointError, RemoteStore

BASE = "https://w3id.org/timeline/case/rekognition/"
FOREIGN = "http://example.org/other-project/graph"
SERVERS = ("oxigraph", "virtuoso")


@pytest.fixture(scope="module", params=SERVERS)
def server(request, tmp_path_factory):
    """(kind, server) for each implementation, started in its default configuration, with its credentials set."""
    kind = request.param
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        patch.setenv("NETRC", os.devnull)
        for name in (ENV_USER, ENV_PASSWORD):
            patch.delenv(name, raising=False)
        if kind == "oxigraph":
            if oxigraph_binary() is None:
                pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
            context = oxigraph_server(tmp_path_factory.mktemp("oxigraph"), union_default_graph=False,
                                      persistent=False)
        else:
            if virtuoso_binary() is None:
                pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
            patch.setenv(ENV_USER, VIRTUOSO_USER)
            patch.setenv(ENV_PASSWORD, VIRTUOSO_PASSWORD)
            context = virtuoso_server(tmp_path_factory.mktemp("virtuoso"))
        with context as srv:
            yield kind, srv


@pytest.fixture(scope="module")
def pushed(server, sample_graph) -> list[str]:
    """The output of ``timeline push --endpoint BASE`` run twice, a foreign graph already on the server."""
    srv = server[1]
    RemoteStore(srv.query_url, store_url=srv.store_url).put_graph(
        FOREIGN, b'<http://example.org/s> <http://example.org/p> "kept" .\n')
    outputs = []
    for _ in range(2):
        result = CliRunner().invoke(cli, ["push", "--graph", str(sample_graph), "--endpoint", srv.base])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    return outputs


@pytest.fixture(scope="module")
def remote(server, pushed):
    return open_store(server[1].base)


@pytest.fixture(scope="module")
def local(sample_graph):
    return open_store(sample_graph)


def quads_in(srv, graph: str | None = None) -> int:
    """Quads in one graph, or in all named graphs, asked without any dataset (what the server holds)."""
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    answer = RemoteStore(srv.query_url).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(answer.rows[0]["n"].value)


def normalized(result: QueryResult) -> tuple[list[str], list[tuple]]:
    """Variables and rows, in order; language tags in lower case (BCP 47 tags are case-insensitive)."""
    rows = [tuple((var, t.kind, t.value, t.datatype, (t.lang or "").lower()) for var in result.variables
                  if (t := row.get(var)) is not None) for row in result.rows]
    return result.variables, rows


def test_the_matrix_has_every_saved_query() -> None:
    assert set(PARAMS) == set(saved_queries.saved_queries())


def test_push_twice_holds_the_case_once_and_says_how_it_will_be_queried(server, pushed, remote,
                                                                        sample_quads) -> None:
    kind, srv = server
    first, second = pushed
    for output in pushed:
        assert f"pushed 7 graphs ({sample_quads} triples) to {srv.store_url} by graph store" in output
        assert f"query it with: timeline query --endpoint {srv.query_url} QUERY" in output
        assert ("each query is answered with the case's 7 graphs as its dataset (default-graph-uri, "
                "named-graph-uri)") in output
    assert len(remote) == sample_quads  # the case's graphs, counted through the dataset
    assert sum(quads_in(srv, g) for g in remote.graphs(BASE)) == sample_quads  # not twice, on the server itself
    assert quads_in(srv, FOREIGN) == 1  # another project's graph is left alone
    assert remote.default_graphs == remote.named_graphs and len(remote.default_graphs) == 7
    assert remote.prefixes["event"] == BASE + "event/"


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_saved_query_answers_as_on_the_local_store(name: str, server, remote, local) -> None:
    answer = run(remote, name)
    expected = run(local, name)
    assert expected.rows or name == "dates-from-outside", f"{name} answers nothing: a weak check"
    assert normalized(answer) == normalized(expected)


def test_ask_and_construct_answer_as_locally(remote, local) -> None:
    for text in ("ASK { ?e a tl:Event ; tl:inCase ?c }", "ASK { ?e a tl:NoSuchClass }"):
        assert remote.query(text).boolean is local.query(text).boolean  # Virtuoso 7 answers ASK as a row
    text = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a tl:Event ; rdfs:label ?l }"
    assert sorted(remote.query(text).triples) == sorted(local.query(text).triples)


def test_an_answer_the_server_cut_short_is_an_error_not_a_wrong_answer(server, remote) -> None:
    text = "SELECT ?s ?x WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?x { 1 2 } }"  # 2 x the case's quads
    if server[0] == "oxigraph":
        assert len(remote.query(text).rows) == 2 * len(remote)
        return
    with pytest.raises(EndpointError, match=r"answered only the first 10000 rows .*ResultSetMaxRows"):
        remote.query(text)  # Virtuoso as configured out of the box: at most 10,000 rows


def test_the_cli_takes_the_base_url_for_queries_too(server, pushed, sample_graph) -> None:
    args = ["actor-timeline", "-p", "actor=ICE", "--format", "csv"]
    remote = CliRunner().invoke(cli, ["query", "--endpoint", server[1].base, *args])
    local = CliRunner().invoke(cli, ["query", "--graph", str(sample_graph), *args])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout and local.stdout.count("\n") > 2


def test_push_by_sparql_update_gives_the_same_answers(server, pushed, remote, local, sample_graph,
                                                      sample_quads) -> None:
    srv = server[1]
    for _ in range(2):  # blank nodes (OWL lists) included, in chunks
        summary = push(sample_graph, RemoteStore(srv.query_url, update_url=srv.update_url), chunk_triples=1500)
        assert summary.method == "update" and summary.triples == sample_quads
    assert sum(quads_in(srv, g) for g in remote.graphs(BASE)) == sample_quads
    for name in ("corroboration", "actor-timeline", "events-in-window"):
        assert normalized(run(remote, name)) == normalized(run(local, name))


def test_wrong_credentials_are_one_clear_error(server, pushed, sample_graph, monkeypatch) -> None:
    kind, srv = server
    if kind == "oxigraph":
        pytest.skip("Oxigraph server has no authentication of its own")
    monkeypatch.setenv(ENV_PASSWORD, "not-the-password")
    with pytest.raises(EndpointError, match=r"HTTP 401 .*TIMELINE_ENDPOINT_USER"):
        push(sample_graph, srv.base)
