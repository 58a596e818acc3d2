"""`timeline serve` and the SPARQL 1.1 Protocol, through the clients analysts use, unchanged.

SPARQLWrapper, rdflib's ``SPARQLStore`` (with and without a graph identifier:
rdflib sends the identifier as ``default-graph-uri``) and curl's requests (its
headers, sent with httpx) against the real server on 127.0.0.1. The dataset
parameters are checked against the same queries run on the store with GRAPH.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from servers import timeline_server

from timeline.serve import Dataset, HttpError, query_request

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
httpx = pytest.importorskip("httpx")
rdflib = pytest.importorskip("rdflib")

GRAPH = "https://w3id.org/timeline/case/rekognition/graph/"
CURATED, ONTOLOGY = GRAPH + "curated", GRAPH + "ontology"
BLOOMBERG = GRAPH + "source/bloomberg-2018-10-23"
TL, OA = "https://w3id.org/timeline/ns#", "http://www.w3.org/ns/oa#"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CURL = {"User-Agent": "curl/8.5.0", "Accept": "*/*"}  # what curl sends unless told otherwise


@pytest.fixture(scope="module")
def server(store):
    with timeline_server(store) as srv:
        yield srv


def size(store, *graphs: str) -> int:
    """Triples in the merge of ``graphs`` (all graphs if none), counted on the store with GRAPH."""
    values = " ".join(f"<{g}>" for g in graphs)
    where = f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }}" if graphs else "GRAPH ?g { ?s ?p ?o }"
    return int(store.query(f"SELECT (COUNT(DISTINCT *) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}")
               .rows[0]["n"].value)


def subjects(store, rdf_type: str, graph: str | None = None) -> set[str]:
    pattern = f"?s a <{rdf_type}>"
    where = f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern
    return {row["s"].value for row in store.query(f"SELECT DISTINCT ?s WHERE {{ {where} }}").rows}


def ask_count(server, query: str = COUNT, method: str = "GET", **params) -> int:
    url = server.url + "/sparql"
    if method == "GET":
        answer = httpx.get(url, params={"query": query, **params}, headers=CURL)
    elif method == "FORM":
        answer = httpx.post(url, data={"query": query, **params}, headers=CURL)
    else:  # the query as the body, the dataset in the URL
        answer = httpx.post(url, params=params, content=query.encode(),
                            headers={**CURL, "Content-Type": "application/sparql-query"})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------ the dataset parameters


@pytest.mark.parametrize("method", ["GET", "FORM", "BODY"])
def test_default_graph_uri_is_the_default_graph(server, store, method) -> None:
    assert ask_count(server, method=method, **{"default-graph-uri": BLOOMBERG}) == size(store, BLOOMBERG)
    both = ask_count(server, method=method, **{"default-graph-uri": [BLOOMBERG, ONTOLOGY]})
    assert both == size(store, BLOOMBERG, ONTOLOGY)
    assert size(store, BLOOMBERG) < both < size(store)


def test_named_graph_uri_limits_graph_and_empties_the_default(server) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    answer = httpx.get(server.url + "/sparql", params={"query": query, "named-graph-uri": [BLOOMBERG, CURATED]},
                       headers=CURL).json()
    assert [b["g"]["value"] for b in answer["results"]["bindings"]] == [CURATED, BLOOMBERG]
    assert ask_count(server, **{"named-graph-uri": CURATED}) == 0  # no default-graph-uri: an empty default graph
    assert ask_count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                     **{"default-graph-uri": CURATED}) == 0  # no named-graph-uri: no named graphs


def test_the_protocol_dataset_overrides_from_and_from_alone_is_honoured(server, store) -> None:
    from_ontology = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    assert ask_count(server, from_ontology) == size(store, ONTOLOGY)
    assert ask_count(server, from_ontology, **{"default-graph-uri": BLOOMBERG}) == size(store, BLOOMBERG)
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    assert ask_count(server, named) == 0  # FROM NAMED alone: the default graph is empty
    assert ask_count(server) == size(store)  # no dataset anywhere: the union of all graphs


def test_a_graph_the_store_lacks_is_empty_and_a_bad_iri_is_400(server) -> None:
    assert ask_count(server, **{"default-graph-uri": "http://example.org/no-such-graph"}) == 0
    answer = httpx.get(server.url + "/sparql", params={"query": COUNT, "default-graph-uri": "<no iri>"}, headers=CURL)
    assert answer.status_code == 400 and "default-graph-uri" in answer.text


# ------------------------------------------------------------ SPARQLWrapper


def test_sparqlwrapper_with_default_and_named_graphs(server, store) -> None:
    sparql = SPARQLWrapper.SPARQLWrapper(server.url + "/sparql")
    sparql.setReturnFormat(SPARQLWrapper.JSON)
    sparql.setQuery(COUNT)
    sparql.addDefaultGraph(ONTOLOGY)
    assert int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == size(store, ONTOLOGY)
    sparql = SPARQLWrapper.SPARQLWrapper(server.url + "/sparql")
    sparql.setReturnFormat(SPARQLWrapper.JSON)
    sparql.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    sparql.addNamedGraph(BLOOMBERG)
    sparql.setMethod(SPARQLWrapper.POST)
    assert [b["g"]["value"] for b in sparql.queryAndConvert()["results"]["bindings"]] == [BLOOMBERG]


def test_sparqlwrapper_construct_as_ntriples_and_jsonld(server) -> None:
    query = "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t } LIMIT 5"
    for fmt, parse_as in ((SPARQLWrapper.N3, "turtle"), (SPARQLWrapper.JSONLD, "json-ld")):
        sparql = SPARQLWrapper.SPARQLWrapper(server.url + "/sparql")
        sparql.setQuery(query)
        sparql.setReturnFormat(fmt)
        data = sparql.query().response.read()
        assert len(rdflib.Graph().parse(data=data, format=parse_as)) == 5


# ------------------------------------------------------------ rdflib's SPARQLStore


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_with_a_graph_identifier_reads_that_graph(server, store, method) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    endpoint = SPARQLStore(server.url + "/sparql", method=method, returnFormat="json")
    graph = Graph(endpoint, identifier=URIRef(BLOOMBERG))
    assert len(graph) == size(store, BLOOMBERG)
    mentions = {str(s) for s in graph.subjects(RDF.type, URIRef(OA + "Annotation"))}
    assert mentions == subjects(store, OA + "Annotation", BLOOMBERG)
    assert mentions and not set(graph.subjects(RDF.type, URIRef(TL + "Event")))  # events are in the curated graph
    rows = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0][0]) == size(store, BLOOMBERG)


def test_rdflib_sparqlstore_without_an_identifier_reads_the_union(server, store) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(server.url + "/sparql"))  # rdflib's default: XML results
    assert len(graph) == size(store)
    events = {str(s) for s in graph.subjects(RDF.type, URIRef(TL + "Event"))}
    assert events == subjects(store, TL + "Event") and len(events) >= 10
    constructed = graph.query(f"CONSTRUCT {{ ?s a <{TL}Event> }} WHERE {{ ?s a <{TL}Event> }}")
    assert {str(s) for s in constructed.graph.subjects()} == events


# ------------------------------------------------------------ curl's content negotiation


@pytest.mark.parametrize(("accept", "media", "form"), [
    (None, "application/sparql-results+json", "SELECT"),  # curl's */*
    ("application/sparql-results+json", "application/sparql-results+json", "SELECT"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "SELECT"),
    ("text/csv", "text/csv", "SELECT"),
    ("text/tab-separated-values", "text/tab-separated-values", "ASK"),
    (None, "text/turtle", "CONSTRUCT"),
    ("application/n-triples", "application/n-triples", "CONSTRUCT"),
    ("application/ld+json", "application/ld+json", "DESCRIBE"),
    ("application/rdf+xml", "application/rdf+xml", "DESCRIBE"),
    ("text/html;q=0.9, application/xhtml+xml, */*;q=0.8", "text/turtle", "CONSTRUCT"),  # a browser's Accept
])
def test_curl_content_negotiation(server, accept, media, form) -> None:
    query = {"SELECT": "SELECT ?c WHERE { ?c a tl:Case }", "ASK": "ASK { ?c a tl:Case }",
             "CONSTRUCT": "CONSTRUCT WHERE { ?c a tl:Case }", "DESCRIBE": "DESCRIBE ?c WHERE { ?c a tl:Case }"}[form]
    headers = {**CURL, **({"Accept": accept} if accept else {})}
    for answer in (httpx.get(server.url + "/sparql", params={"query": query}, headers=headers),
                   httpx.post(server.url + "/sparql", data={"query": query}, headers=headers)):  # --data-urlencode
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].split(";")[0] == media
        assert answer.headers["vary"] == "Accept"
        assert answer.content


def test_curl_asking_for_what_cannot_be_is_406_listing_what_can(server) -> None:
    answer = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={**CURL, "Accept": "text/turtle"})
    assert answer.status_code == 406
    assert "application/sparql-results+json" in answer.text and answer.text.count("\n") == 1


# ------------------------------------------------------------ the rules, without a server


def test_query_request_rules() -> None:
    asked = query_request(b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa&default-graph-uri=http%3A%2F%2Fa",
                          "GET")
    assert (asked.text, asked.dataset) == ("ASK{}", Dataset(("http://a",), ()))
    form = query_request(b"named-graph-uri=http%3A%2F%2Fn", "POST", "application/x-www-form-urlencoded; charset=UTF-8",
                         b"query=ASK%7B%7D&format=csv")
    assert (form.dataset, form.formats) == (Dataset((), ("http://n",)), ["csv"])
    body = query_request(b"", "POST", "application/sparql-query", "ASK { ?s ?p 'é' }".encode())
    assert (body.text, body.dataset) == ("ASK { ?s ?p 'é' }", None)
    refusals = [
        (b"", "POST", "application/sparql-update", b"CLEAR ALL", 403),
        (b"update=CLEAR+ALL", "GET", None, b"", 403),
        (b"query=ASK%7B%7D&using-graph-uri=http%3A%2F%2Fa", "GET", None, b"", 400),
        (b"query=a&query=b", "GET", None, b"", 400),
        (b"query=ASK%7B%7D", "POST", "application/sparql-query", b"ASK {}", 400),  # two queries
        (b"", "GET", None, b"", 400),
        (b"query=%FF", "GET", None, b"", 400),
        (b"", "POST", "text/plain", b"ASK {}", 415),
        (b"&".join([b"x=1"] * 101) + b"&query=ASK%7B%7D", "GET", None, b"", 400),
    ]
    for query_string, method, content_type, data, status in refusals:
        with pytest.raises(HttpError) as caught:
            query_request(query_string, method, content_type, data)
        assert caught.value.status == status, query_string


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # Starlette now prefers httpx2
def test_the_app_in_process_with_starlettes_test_client(store) -> None:
    """The ASGI application alone (no uvicorn): what a page route added later is tested with."""
    from starlette.testclient import TestClient

    from timeline.serve import Endpoint, create_app

    endpoint = Endpoint(store, timeout=5, max_rows=100, pages=False, workers=1, isolation="thread")
    try:
        with TestClient(create_app(endpoint)) as client:
            answer = client.get("/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY},
                                headers={"Accept": "text/csv"})
            assert answer.status_code == 200 and answer.text.splitlines()[1].isdigit()
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}).status_code == 503
            assert json.loads(client.get("/queries").content)
    finally:
        endpoint.engine.close()


def test_urlencoded_query_strings_as_clients_write_them(server) -> None:
    # '+' for a space (forms), %20 (JavaScript's encodeURIComponent): both the same query.
    for quoted in (urllib.parse.quote_plus, urllib.parse.quote):
        answer = httpx.get(server.url + "/sparql?query=" + quoted("ASK { ?c a tl:Case }"), headers=CURL)
        assert answer.json()["boolean"] is True
