"""The workbench's reading pages of ``timeline serve`` on the sample case, through the ASGI app (Starlette's
TestClient): what an analyst reads on the home, search, entity, event and source pages, the suggestions the
entity pickers use, the 404 page, and that hostile text in a path or a query parameter stays inert text."""

from __future__ import annotations

import html
import re
import warnings

import pytest

from timeline.serve import Endpoint, create_app
from timeline.serve.security import script_hashes

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

MEETING = "amazon-ice-meeting-2018-06"
BLOOMBERG = "bloomberg-2018-10-23"
BLOOMBERG_SENTENCE = ("Amazon.com Inc. in June pitched its facial recognition technology — which can identify "
                      "people from surveillance footage using image databases — as a tool for U.S. Immigration "
                      "and Customs Enforcement")


@pytest.fixture(scope="module")
def client(store):
    endpoint = Endpoint(store, timeout=5, max_rows=1000, pages=True, workers=1, isolation="thread")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield TestClient(create_app(endpoint))
    finally:
        endpoint.engine.close()


def page(client, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    for digest in script_hashes(r.text):  # every inline script the page has may run, and only those
        assert digest in csp
    return r.text


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def links(markup: str) -> set[str]:
    return {html.unescape(h) for h in re.findall(r'href="([^"]*)"', markup)}


# ------------------------------------------------------------ home and search


def test_home_shows_the_case_at_a_glance(client) -> None:
    body = page(client, "/")
    words = text_of(body)
    assert "Amazon Rekognition and law enforcement" in words
    assert "45 events" in words and "74 entities" in words and "5 sources" in words
    assert "<svg class=\"wb-bars\"" in body and "2018: 29 events" in words  # the bar of 2018, with its count
    assert f"/source/{BLOOMBERG}" in links(body)  # sources and their coverage
    assert "/entity/amazon" in links(body)  # among the most central actors
    assert {"/endpoint", "/timeline.html", "/graph.html", "/story.html"} <= links(body)
    assert 'action="/search"' in body


def test_endpoint_page_keeps_what_the_index_showed(client) -> None:
    body = page(client, "/endpoint")
    assert 'action="/sparql"' in body and "SELECT ?event ?date ?label" in body
    assert "application/sparql-results+json" in body and "/queries" in body


def test_search_groups_hits_by_kind_and_marks_the_match(client) -> None:
    body = page(client, "/search?q=ICE")
    assert 'id="entity"' in body and 'id="event"' in body and 'id="quote"' in body
    assert "/entity/ice" in links(body) and f"/event/{MEETING}" in links(body)
    assert '<mark class="wb-hit">ICE</mark>' in body
    entities = body.split('id="entity"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'href="(/entity/[^"]+)"', entities).group(1) == "/entity/ice"  # the name typed whole first
    assert 'value="ICE"' in body  # the box keeps what was searched
    quotes = body.split('id="quote"', 1)[1]
    assert f"/source/{BLOOMBERG}#q-" in quotes


def test_search_for_nothing_says_so(client) -> None:
    assert "Nothing in this case matches" in page(client, "/search?q=zzzqqq")
    assert "Type a name" in page(client, "/search")


def test_suggest_answers_entities_and_events_best_first(client) -> None:
    found = client.get("/suggest?q=ice").json()
    assert found[0] == {"id": "ice", "label": "U.S. Immigration and Customs Enforcement",
                        "kind": "government agency", "url": "/entity/ice"}
    assert 0 < len(found) <= 20
    events = client.get("/suggest", params={"q": "ICE", "kind": "event"}).json()
    assert events and all(item["kind"] == "event" for item in events)
    assert MEETING in {item["id"] for item in events}
    by_alias = client.get("/suggest", params={"q": "Immigration and Customs", "kind": "entity"}).json()
    assert by_alias[0]["id"] == "ice"
    assert client.get("/suggest?q=ice&kind=claim").status_code == 400
    assert client.get("/suggest?q=").json() == []


# ------------------------------------------------------------ entity, event, source


def test_entity_page_of_ice(client) -> None:
    body = page(client, "/entity/ice")
    words = text_of(body)
    assert "U.S. Immigration and Customs Enforcement" in words and "ICE, Immigration and Customs Enforcement" in words
    events = body.split('id="events"', 1)[1].split("<h2", 1)[0]
    assert f"/event/{MEETING}" in links(events)
    assert "June 2018 · Amazon Web Services pitches Rekognition to ICE in California as target" in text_of(events)
    listed = re.findall(r'href="/event/([^"#]+)"', events)
    dates = [client.app.app.state.endpoint.catalog.events[e].sort for e in listed]
    assert dates == sorted(dates)  # in date order
    assert "/entity/matthew-bourke" in links(body)  # a member; and the claims he made for ICE
    assert "ICE has no current contract with Amazon." in words
    assert f"/source/{BLOOMBERG}" in links(body)
    assert 'class="wb-svg wb-ego"' in body and "/entity/amazon" in links(body.split("wb-ego", 1)[1])
    assert "/graph.html#ice" in links(body)


def test_entity_page_links_to_wikidata(client) -> None:
    body = page(client, "/entity/amazon")
    assert "https://www.wikidata.org/wiki/Q3884" in links(body)


def test_event_page_of_the_meeting(client) -> None:
    body = page(client, f"/event/{MEETING}")
    words = text_of(body)
    assert "June 2018" in words and "to the month" in words and "stated" in words
    assert "Amazon Web Services as initiator" in words and "U.S. Immigration and Customs Enforcement as target" in words
    assert BLOOMBERG_SENTENCE in words
    start = client.app.app.state.endpoint.catalog.texts[BLOOMBERG].index(BLOOMBERG_SENTENCE)
    anchor = f"/source/{BLOOMBERG}#q-{start}-{start + len(BLOOMBERG_SENTENCE)}"
    assert anchor in links(body)
    assert {f"/timeline.html#{MEETING}", f"/graph.html#{MEETING}", f"/story.html#{MEETING}"} <= links(body)
    assert "Disagreement" in words  # contradicting claims side by side
    group = body.split("<h3>Disagreement</h3>", 1)[1].split("</div>", 1)[0]
    assert group.count('class="wb-claim') >= 2


def test_source_page_highlights_the_bloomberg_sentence(client) -> None:
    body = page(client, f"/source/{BLOOMBERG}")
    start = client.app.app.state.endpoint.catalog.texts[BLOOMBERG].index(BLOOMBERG_SENTENCE)
    mark = re.search(rf'<mark id="q-{start}-{start + len(BLOOMBERG_SENTENCE)}">(.*?)</mark>(.*?)</span>', body, re.S)
    assert mark and text_of(mark.group(1)) == BLOOMBERG_SENTENCE
    assert f"/event/{MEETING}" in links(mark.group(2))  # the highlight links to the event it supports
    assert "Bloomberg" in text_of(body) and "23 October 2018" in text_of(body)


def test_every_citation_link_lands_on_a_highlight(client) -> None:
    catalog = client.app.app.state.endpoint.catalog
    ids = {sid: set(re.findall(r'id="(q-\d+-\d+)"', page(client, f"/source/{sid}"))) for sid in catalog.view.sources}
    for ev in catalog.view.events[::4]:
        for target in links(page(client, f"/event/{ev.id}")):
            if target.startswith("/source/"):
                sid, anchor = target.removeprefix("/source/").split("#")
                assert anchor in ids[sid], (ev.id, target)


# ------------------------------------------------------------ not found, hostile input


@pytest.mark.parametrize("path", ["/entity/no-such", "/event/no-such", "/source/no-such"])
def test_unknown_ids_get_the_workbench_404(client, path) -> None:
    body = page(client, path, 404)
    assert 'class="wb-header"' in body and "no-such" in text_of(body)


HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
           '} ; DROP GRAPH <x> ; SELECT * { ?s ?p ?o', "' OR 1=1 --", "x\" } INSERT DATA { <a> <b> <c> } #"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_path_segments_and_queries_are_inert(client, hostile) -> None:
    for kind in ("entity", "event", "source"):
        body = page(client, f"/{kind}/{hostile}", 404)
        assert "<script>alert" not in body and "<img src=x" not in body
        assert html.escape(hostile, quote=True) in body or hostile not in body
    for path in ("/search", "/"):
        body = page(client, path + "?q=" + hostile)
        assert "<script>alert" not in body and "<img src=x" not in body
    found = client.get("/suggest", params={"q": hostile}).json()
    assert isinstance(found, list)
    body = page(client, "/entity/ice?page=" + hostile)  # a bad page number is the first page
    assert f"/event/{MEETING}" in body


def test_search_counts_up_to_a_limit_then_says_or_more(client, monkeypatch) -> None:
    import timeline.serve.catalog as catalog_module

    monkeypatch.setattr(catalog_module, "COUNT_LIMIT", 3)
    found = client.app.app.state.endpoint.catalog.search("a")
    assert found["entity"]["total"] == 3 and found["entity"]["more"] and len(found["entity"]["hits"]) == 3
    assert found["source"]["total"] == 3 and found["source"]["more"]
    body = page(client, "/search?q=amazon&x=1")
    assert "or more" in body


def test_the_busiest_entities_pages_are_rendered_at_start_up(client, monkeypatch) -> None:
    from timeline.serve import browse

    endpoint = client.app.app.state.endpoint
    page(client, "/entity/ice")
    assert endpoint.page_cache.get("/entity/ice?") is not None  # the key a request uses, as warm() writes it
    monkeypatch.setattr(browse, "EVENTS_PER_PAGE", 5)
    cache = browse.PageCache()
    browse.warm(cache, endpoint.case_title, endpoint.catalog)
    assert {"/entity/ice?", "/entity/amazon?"} <= set(cache.pages)
    assert all(len(endpoint.catalog.entity_events[key[len("/entity/"):-1]]) > 5 for key in cache.pages)


def test_the_served_story_page_opens_with_the_case_description(client, store) -> None:
    """Rendered by the same function as `build --pages`: the title slide has the case's description."""
    from timeline.render.story import case_description

    description = case_description(store)
    assert description and html.escape(description, quote=True)[:60] in client.get("/story.html").text


def test_entity_time_strip_links_each_event_and_turns_into_years_when_crowded(client, monkeypatch) -> None:
    from timeline.serve import browse

    endpoint = client.app.app.state.endpoint
    context = browse.entity_context(endpoint.catalog, "ice")
    assert len(context["dots"]) == 9 and f"/event/{MEETING}" in {d.href for d in context["dots"]}
    monkeypatch.setattr(browse, "STRIP_EVENTS", 3)
    context = browse.entity_context(endpoint.catalog, "ice")
    assert context["dots"] == [] and [(b.label, b.count) for b in context["bars"]] == [("2018", 9)]


def test_a_page_number_no_int_can_read_is_the_first_page_never_a_500(client) -> None:
    for page in ("%C2%B2", "1" * 5000, "-1", "x"):
        assert client.get(f"/entity/aclu?page={page}").status_code == 200, page
