"""The workbench's query pages of `timeline serve`: saved queries as forms, the SPARQL editor, the path finder.

In process, with Starlette's test client: what a reader sees in the HTML, what a download holds, and that a
hostile parameter stays inert (bound as a typed term, or escaped on the page).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from timeline.query import saved_queries
from timeline.views.network import paths

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture(scope="module")
def client(store):
    from starlette.testclient import TestClient

    from timeline.serve import Endpoint, create_app

    endpoint = Endpoint(store, timeout=10, max_rows=1000, pages=True, workers=2, isolation="thread")
    try:
        with TestClient(create_app(endpoint)) as test_client:
            yield test_client
    finally:
        endpoint.engine.close()


def cli_rows(store, name: str, **given: str):
    """What `timeline query NAME -p ...` answers: the same binding, the same store."""
    saved = saved_queries.find_saved(name)
    return store.query(saved.text, saved_queries.bind(saved, given, store)).rows


def table(html: str) -> list[list[str]]:
    """The result table's cells, as text."""
    body = html[html.index('<table class="wb-table wbq-table">'):]
    body = body[:body.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def attributes(html: str, element_id: str) -> dict[str, str | None]:
    """The attributes of the element with ``element_id``, as a browser parses them."""
    from html.parser import HTMLParser

    found: dict[str, str | None] = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id") == element_id:
                found.update(attrs)

    Parser().feed(html)
    return found


def result_hrefs(html: str) -> list[str]:
    body = html[html.index('<table class="wb-table wbq-table">'):]
    return re.findall(r'href="(/(?:entity|event)/[^"]+)"', body[:body.index("</table>")])


def test_the_list_of_saved_queries_links_each_form_and_the_json_list_stays(client) -> None:
    page = client.get("/queries/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    names = [q["name"] for q in client.get("/queries").json()]  # clients and tests read this JSON
    assert "actor-timeline" in names
    for name in names:
        assert f'href="/queries/{name}"' in page.text


def test_the_form_of_actor_timeline_has_an_entity_picker(client) -> None:
    page = client.get("/queries/actor-timeline")
    assert page.status_code == 200
    field = re.search(r'<input id="p-actor"[^>]*>', page.text, re.S).group()
    assert 'name="actor"' in field and 'data-suggest="entity"' in field and "required" in field
    assert '<label for="p-actor">' in page.text
    assert 'id="result"' not in page.text  # nothing is run until the form is sent


def test_running_actor_timeline_for_ice_gives_the_rows_the_cli_gives(client, store) -> None:
    page = client.get("/queries/actor-timeline", params={"actor": "ICE", "run": "1"})
    assert page.status_code == 200
    expected = cli_rows(store, "actor-timeline", actor="ICE")
    rows = table(page.text)
    assert len(rows) == len(expected) > 3
    assert [r[1:] for r in rows] == [[x["date"].value, x["label"].value, x["role"].value] for x in expected]
    # each event IRI links to its event page
    events = [x["event"].value.rsplit("/", 1)[1] for x in expected]
    assert result_hrefs(page.text) == [f"/event/{e}" for e in events]
    assert 'value="ICE"' in page.text  # the form keeps what was asked


def test_an_entity_column_links_to_entity_pages(client) -> None:
    page = client.get("/queries/co-participation", params={"min": "2", "run": "1"})
    assert page.status_code == 200
    hrefs = result_hrefs(page.text)
    assert hrefs and all(h.startswith("/entity/") for h in hrefs)


def test_a_partial_name_is_taken_as_the_cli_takes_it_and_said(client) -> None:
    page = client.get("/queries/actor-timeline", params={"actor": "immigration and customs", "run": "1"})
    assert page.status_code == 200 and len(table(page.text)) > 3
    assert "resolved" in page.text and "ice" in page.text


@pytest.mark.parametrize(("name", "given"), [
    ("event-participants", {"event": "amazon-ice-meeting-2018-06"}),
    ("claims-about", {"subject": "rekognition"}),
    ("source-says", {"source": "bloomberg-2018-10-23"}),
    ("events-in-window", {"from": "2018-05", "to": "2018-06"})])
def test_record_and_date_parameters_give_the_rows_the_cli_gives(client, store, name, given) -> None:
    page = client.get(f"/queries/{name}", params={**given, "run": "1"})
    expected = cli_rows(store, name, **given)
    assert expected and len(table(page.text)) == len(expected)


def test_binding_reads_no_list_of_every_record_so_a_small_row_limit_still_binds(store) -> None:
    """The CLI's look-up of an id reads every record's id; through the pool that is over a big case's row
    limit. The pages resolve ids and names from the case read at start-up instead."""
    from starlette.testclient import TestClient

    from timeline.serve import Endpoint, create_app

    endpoint = Endpoint(store, timeout=10, max_rows=20, pages=True, workers=1, isolation="thread")
    try:
        with TestClient(create_app(endpoint)) as small:
            page = small.get("/queries/event-participants", params={"event": "amazon-ice-meeting-2018-06",
                                                                     "run": "1"})
            assert len(table(page.text)) == len(cli_rows(store, "event-participants",
                                                         event="amazon-ice-meeting-2018-06"))
            unknown = small.get("/queries/event-participants", params={"event": "amazon-ice-meeting", "run": "1"})
            assert 'id="p-event-error"' in unknown.text and "amazon-ice-meeting-2018-06" in unknown.text
    finally:
        endpoint.engine.close()


def test_the_timeline_and_graph_views_render_the_result(client) -> None:
    page = client.get("/queries/actor-timeline", params={"actor": "ICE", "run": "1", "view": "timeline"})
    assert page.status_code == 200
    frame = unescape(re.search(r'<iframe class="wbq-frame[^"]*" src="([^"]+)"', page.text).group(1))
    assert frame.startswith("/queries/actor-timeline/view?") and "view=timeline" in frame
    assert re.search(r'<a href="[^"]*view=timeline[^"]*" aria-current="page">As a timeline</a>', page.text)
    drawn = client.get(frame)
    assert drawn.status_code == 200 and "'sha256-" in drawn.headers["content-security-policy"]
    assert "amazon-ice-meeting-2018-06" in drawn.text and "vis-timeline" in drawn.text
    graph = client.get(frame.replace("view=timeline", "view=graph"))
    assert graph.status_code == 200 and "vis-network" in graph.text and "amazon-ice-meeting-2018-06" in graph.text


def test_a_view_that_cannot_be_drawn_says_why_in_its_frame(client) -> None:
    text = "SELECT ?n WHERE { VALUES ?n { 1 2 } }"
    drawn = client.get("/editor/view", params={"query": text, "view": "timeline"})
    assert drawn.status_code == 200 and "needs a date column" in drawn.text


@pytest.mark.parametrize(("key", "media_type", "ext"), [
    ("csv", "text/csv", "csv"), ("tsv", "text/tab-separated-values", "tsv"),
    ("json", "application/sparql-results+json", "srj"), ("xml", "application/sparql-results+xml", "srx")])
def test_downloads_have_their_media_type_and_the_rows(client, store, key, media_type, ext) -> None:
    expected = cli_rows(store, "actor-timeline", actor="ICE")
    answer = client.get("/queries/actor-timeline", params={"actor": "ICE", "download": key})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["content-disposition"] == f'attachment; filename="actor-timeline.{ext}"'
    labels = [x["label"].value for x in expected]
    if key == "csv":
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert [r["label"] for r in rows] == labels
    elif key == "tsv":
        lines = answer.text.splitlines()
        assert lines[0].split("\t") == ["?event", "?date", "?label", "?role"] and len(lines) == len(labels) + 1
    elif key == "json":
        bindings = json.loads(answer.content)["results"]["bindings"]
        assert [b["label"]["value"] for b in bindings] == labels
    else:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        results = ET.fromstring(answer.content).iter(f"{ns}result")
        assert len(list(results)) == len(labels)


def test_the_result_page_links_every_download(client) -> None:
    page = client.get("/queries/actor-timeline", params={"actor": "ICE", "run": "1"})
    for key in ("csv", "tsv", "json", "xml"):
        assert f"download={key}" in page.text


HOSTILE = ['ICE" } UNION { ?event ?p ?o } #', "amazon> } UNION { ?s ?p ?o", '<script>alert(1)</script>',
           "\"' onmouseover=alert(1) x='"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_entity_parameter_is_an_unknown_name_shown_escaped(client, value) -> None:
    page = client.get("/queries/actor-timeline", params={"actor": value, "run": "1"})
    assert page.status_code == 200  # the page is fine: it says what to fix
    assert 'id="p-actor-error"' in page.text and 'id="result"' not in page.text  # no rows at all
    field = attributes(page.text, "p-actor")
    assert field["value"] == value and "onmouseover" not in field  # the value stays text inside its attribute
    assert "<script>alert" not in page.text


def test_a_string_parameter_carrying_sparql_is_bound_as_a_literal(client, store) -> None:
    """dates-from-outside's `basis` is a string: a value that tries to close the literal matches nothing."""
    normal = client.get("/queries/dates-from-outside", params={"basis": "external", "run": "1"})
    assert normal.status_code == 200 and len(table(normal.text)) == len(cli_rows(store, "dates-from-outside"))
    hostile = 'external" || true || "'
    page = client.get("/queries/dates-from-outside", params={"basis": hostile, "run": "1"})
    assert page.status_code == 200 and "No rows" in page.text
    assert cli_rows(store, "dates-from-outside", basis=hostile) == []


def test_a_date_that_is_no_date_is_said_at_its_field(client) -> None:
    page = client.get("/queries/events-in-window", params={"from": "May 2018", "to": "2018-06", "run": "1"})
    assert 'id="p-from-error"' in page.text and "not a date" in page.text and 'id="result"' not in page.text
    assert re.search(r'<input id="p-from"[^>]*pattern=', page.text)  # the browser checks it before sending


def test_a_missing_parameter_is_said_at_its_field(client) -> None:
    page = client.get("/queries/actor-timeline", params={"run": "1"})
    assert 'id="p-actor-error"' in page.text and 'aria-invalid="true"' in page.text


def test_an_unknown_query_is_404(client) -> None:
    page = client.get("/queries/no-such-query")
    assert page.status_code == 404 and "no-such-query" in page.text
    assert client.get("/queries/no-such-query/view").status_code == 404


# ------------------------------------------------------------ the editor


def test_the_editor_inlines_codemirror_with_its_notices_and_a_policy_for_it(client) -> None:
    page = client.get("/editor")
    assert page.status_code == 200
    assert "TimelineEditor" in page.text and "@codemirror/view" in page.text and "MIT" in page.text
    assert '<textarea id="wbq-query" name="query"' in page.text  # the form works without the script
    assert "tl:" in page.text and "PREFIX" not in page.text.split('id="wbq-query"')[1].split("</textarea>")[0]
    from timeline.serve.security import page_csp

    assert page.headers["content-security-policy"] == page_csp(page.content)


def test_the_editor_runs_a_query_from_its_url(client) -> None:
    text = "SELECT ?e WHERE { ?e a tl:Event } ORDER BY ?e LIMIT 3"
    page = client.get("/editor", params={"query": text, "run": "1"})
    assert page.status_code == 200 and len(table(page.text)) == 3
    assert "/editor?query=SELECT" in page.text  # the link to share
    assert len(result_hrefs(page.text)) == 3


def test_a_syntax_error_is_shown_at_its_line_and_column(client) -> None:
    page = client.get("/editor", params={"query": "SELECT * WHERE {\n  ?s ?p ?o\n  ?s ?p ?o ) .\n}", "run": "1"})
    assert re.search(r'id="wbq-error"[^>]*data-line="3" data-column="11"', page.text)  # the stray ")"
    assert "Line 3, column 11" in page.text and 'id="result"' not in page.text


def test_the_editor_refuses_updates_and_service_and_escapes_the_query(client) -> None:
    update = client.get("/editor", params={"query": "DELETE WHERE { ?s ?p ?o }", "run": "1"})
    assert "read-only" in update.text and 'id="result"' not in update.text
    service = client.get("/editor", params={"query": "SELECT * WHERE { SERVICE <http://example.org/> "
                                                     "{ ?s ?p ?o } }", "run": "1"})
    assert "SERVICE (federated query) is not allowed" in service.text and 'id="result"' not in service.text
    hostile = "</textarea><script>alert(1)</script>"
    page = client.get("/editor", params={"query": hostile})
    assert "<script>alert(1)" not in page.text and "&lt;/textarea&gt;&lt;script&gt;" in page.text


def test_the_editor_downloads_a_construct_as_turtle(client) -> None:
    text = "CONSTRUCT { ?c rdfs:label ?t } WHERE { ?c a tl:Case ; rdfs:label ?t }"
    answer = client.get("/editor", params={"query": text, "download": "turtle"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    assert "rdfs:label" in answer.text or "rdf-schema#label" in answer.text


# ------------------------------------------------------------ the path finder


def test_the_path_from_ice_to_amazon_gives_hops_with_dates_and_citations(client, view) -> None:
    page = client.get("/path", params={"from": "ICE", "to": "Amazon", "hops": "3"})
    assert page.status_code == 200
    found = paths(view, "ice", "amazon", max_hops=3, limit=5)
    assert found
    text = unescape(page.text)
    for hops in found:
        for hop in hops:
            assert f'href="/event/{hop.event_id}"' in page.text
            assert hop.date_label in text
            if hop.citation is not None:
                assert hop.citation.quote in text and hop.citation.title in text
    assert text.count('class="wbq-hop"') == sum(len(h) for h in found)


def test_the_path_finder_says_which_name_it_does_not_know(client) -> None:
    page = client.get("/path", params={"from": "ICE", "to": "<b>nobody</b>", "hops": "2"})
    assert 'id="path-to-error"' in page.text and "<b>nobody" not in page.text
    bad_hops = client.get("/path", params={"from": "ICE", "to": "Amazon", "hops": "99"})
    assert 'id="path-hops-error"' in bad_hops.text and 'class="wbq-hop"' not in bad_hops.text


def test_the_editor_bundle_is_built_with_a_license_text_for_every_package_in_it() -> None:
    """`npm ci` (its prepare script) made the bundle; each bundled package's notice quotes its license text."""
    from timeline.render import assets

    assert assets.editor_missing(assets.editor_root()) == []
    assert "TimelineEditor" in assets.read_editor()
    notices = assets.editor_notices()
    assert len(notices) == len(assets.EDITOR_BUNDLED)
    assert all("Permission is hereby granted" in n for n in notices)  # every one is MIT, text included


def test_a_slow_editor_query_does_not_stall_the_other_pages(sample_graph) -> None:
    """The editor's query holds one worker of the pool until the time limit kills it; meanwhile another reader's
    saved query is answered at once, and the slow one's page says it was stopped."""
    import threading
    import time

    import httpx
    from servers import timeline_server

    from timeline.stores import open_store

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with timeline_server(open_store(sample_graph), workers=2, isolation="process", timeout=3) as server:
        answers: dict[str, httpx.Response] = {}
        waiting = threading.Thread(target=lambda: answers.update(
            slow=httpx.get(server.url + "/editor", params={"query": slow, "run": "1"}, timeout=30)))
        waiting.start()
        time.sleep(0.5)
        started = time.monotonic()
        page = httpx.get(server.url + "/queries/actor-timeline", params={"actor": "ICE", "run": "1"}, timeout=30)
        took = time.monotonic() - started
        waiting.join(30)
    assert page.status_code == 200 and len(table(page.text)) == 9 and took < 2.0
    assert "did not finish within the server" in answers["slow"].text


# ------------------------------------------------------------ hostile input, as a property

BREAKERS = ['<script>__pwn()</script>', '"><img src=x onerror=__pwn()>', "' onfocus='__pwn()", "</textarea>",
            "</script><script>__pwn()</script>", "<!--", "]]>", "javascript:__pwn()", "&amp;", "&lt;b&gt;", "`",
            "{{ 7*7 }}", "\u2028", "\u202e", "} UNION { ?s ?p ?o }", '" . } #', "<iframe src=/>", "\\"]


def census(html: str) -> tuple[list[str], list[str], dict[str, dict[str, str | None]], dict[str, str]]:
    """The page's tags in order, any on* attributes, the attributes of each element with an id, and the text
    inside each element with an id (as Python's parser reads them, character references resolved)."""
    from html.parser import HTMLParser

    tags: list[str] = []
    handlers: list[str] = []
    by_id: dict[str, dict[str, str | None]] = {}
    text: dict[str, str] = {}
    open_ids: list[str | None] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)
            handlers.extend(name for name, _ in attrs if name.startswith("on"))
            values = dict(attrs)
            if values.get("id"):
                by_id[values["id"]] = values
            if tag not in ("input", "meta", "link", "br", "img", "hr"):
                open_ids.append(values.get("id"))

        def handle_endtag(self, tag):
            if open_ids:
                open_ids.pop()

        def handle_data(self, data):
            for eid in open_ids:
                if eid:
                    text[eid] = text.get(eid, "") + data

    Parser().feed(html)
    # as a browser reads a textarea: the newline right after its start tag is not part of its text
    text = {k: v[1:] if by_id.get(k, {}).get("name") == "query" and v.startswith("\n") else v for k, v in text.items()}
    return tags, handlers, by_id, text


def _hostile():
    from hypothesis import strategies as st

    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")
    return st.lists(st.one_of(st.sampled_from(BREAKERS), st.text(chars, max_size=12)), min_size=1,
                    max_size=5).map("".join).filter(str.strip)


def test_any_text_in_a_parameter_the_editor_or_the_path_finder_stays_text(client) -> None:
    """Whatever is typed into a field comes back as that very text in the field, and adds no element, no
    handler and no script to the page: the page has the structure it has for a plain word."""
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings

    plain = {"query": census(client.get("/queries/actor-timeline", params={"actor": "zzqx", "run": "1"}).text),
             "editor": census(client.get("/editor", params={"query": "zzqx"}).text),
             "path": census(client.get("/path", params={"from": "zzqx", "to": "zzqx"}).text)}

    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_hostile())
    def check(value: str) -> None:
        tags, handlers, by_id, _ = census(client.get("/queries/actor-timeline",
                                                     params={"actor": value, "run": "1"}).text)
        assert handlers == [] and by_id["p-actor"]["value"] == value.strip()
        if "p-actor-error" in by_id:  # not a name of the case: the same page as for any unknown name
            assert tags == plain["query"][0]
        tags, handlers, by_id, text = census(client.get("/editor", params={"query": value}).text)
        assert handlers == [] and tags == plain["editor"][0] and text["wbq-query"] == value
        tags, handlers, by_id, _ = census(client.get("/path", params={"from": value, "to": "zzqx"}).text)
        assert handlers == [] and tags == plain["path"][0] and by_id["path-from"]["value"] == value.strip()

    check()


def test_numbers_no_int_can_read_are_said_at_their_field_never_a_500(client) -> None:
    """str.isdigit() takes "²", and int() refuses numbers of more than 4,300 digits."""
    for path in ("/path?from=ICE&to=ACLU&hops=%C2%B2", "/path?from=ICE&to=ACLU&hops=" + "1" * 5000):
        response = client.get(path)
        assert response.status_code == 200 and "whole number from 1 to 8" in response.text, path
    response = client.get("/queries/co-participation?run=1&min=" + "1" * 5000)
    assert response.status_code == 200 and "not an integer" in response.text


def test_the_editor_keeps_a_query_that_opens_with_a_blank_line(client) -> None:
    """An HTML parser drops the newline right after <textarea>: one more keeps the query's own, so an error's line
    number is the editor's."""
    import html

    text = "\nSELECT * WHERE { ?s ?p ?o }"
    body = client.get("/editor", params={"query": text}).text
    area = re.search(r"<textarea[^>]*>(.*?)</textarea>", body, re.S).group(1)
    assert html.unescape(area) == "\n" + text  # the parser drops the first newline, leaving the query whole
