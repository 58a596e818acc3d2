# The graph page in Debian's Chromium: nodes shown, edge click to citations, keyboard model, search,
# offline (file:// and http), hostile text inert, cross-origin iframe, reduced motion, 2,000 nodes.
from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import visit
from test_render_graph import CRASHES, HOSTILE_IMG, HOSTILE_SCRIPT, airliner_view, hostile_view

from timeline.render.embed import embed_snippet
from timeline.render.graph import graph_data, graph_page, render_graph
from timeline.stores import open_store
from timeline.views.model import load_view

READY = "html[data-graph-ready]"
MEETING = "amazon-ice-meeting-2018-06"
PAGE = "window.timelineGraphPage"


@pytest.fixture(scope="module")
def sample(tmp_path_factory, sample_graph):
    """The sample case's view, its graph data and its page on disk."""
    view = load_view(open_store(sample_graph))
    page = tmp_path_factory.mktemp("graph-browser") / "graph.html"
    page.write_text(render_graph(view), encoding="utf-8")
    return view, graph_data(view), page


def clean(v) -> None:
    assert v.console_errors == []
    assert v.page_errors == []
    assert v.requests == []


def edge_point(page, edge_id: str) -> dict:
    """Page coordinates of the middle of an edge as drawn (curves included)."""
    return page.evaluate("""(id) => {
        const net = window.timelineGraph;
        const edge = net.body.edges[id];
        const p = edge.edgeType.getPoint(0.5);
        const dom = net.canvasToDOM(p);
        const box = document.querySelector('#tg-network .vis-network').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""", edge_id)


def test_sample_graph_shows_its_nodes_and_an_edge_opens_its_citations(browser, sample):
    view, data, page = sample
    with visit(browser, page.as_uri(), wait_for=READY) as v:
        shown = v.page.evaluate("[window.timelineGraph.body.data.nodes.length, "
                                "window.timelineGraph.body.data.edges.length]")
        assert shown == [len(data["nodes"]), len(data["edges"])]
        assert v.page.evaluate("window.timelineGraph.physics.options.enabled") is False
        assert v.page.is_visible(".tg-legend") and v.page.is_hidden("#tg-panel")
        v.screenshot("graph-overview.png")
        # Click the ICE / Amazon Web Services edge where it is drawn.
        edge_id = "pair:amazon-web-services|ice"
        v.page.evaluate("window.timelineGraph.moveTo({scale: 1.6, position: (() => {"
                        "const a = window.timelineGraph.getPosition('ice'),"
                        " b = window.timelineGraph.getPosition('amazon-web-services');"
                        " return {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}; })(), animation: false})")
        point = edge_point(v.page, edge_id)
        v.page.mouse.click(point["x"], point["y"])
        v.page.wait_for_selector("#tg-panel:not([hidden])")
        quote = data["events"][MEETING]["citations"][0]["quote"]
        panel = v.page.locator("#tg-panel")
        assert "Amazon Web Services" in panel.locator("h2").inner_text()
        assert quote in panel.inner_text()
        assert v.page.evaluate("window.timelineGraph.getSelectedEdges()") == [edge_id]
        v.page.mouse.move(5, 5)  # no hover tooltip in the picture
        v.page.evaluate("window.timelineGraph.moveTo({scale: 1.1, animation: false})")
        v.page.wait_for_timeout(300)
        v.screenshot("graph-panel.png")
        # The close button closes it; a node click opens a profile with its Wikidata link.
        v.page.click("#tg-panel-close")
        assert v.page.is_hidden("#tg-panel")
        v.page.evaluate(f"{PAGE}.openNode('amazon', {{}})")
        link = v.page.locator("#tg-panel a", has_text="Q3884")
        assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q3884"
        assert link.get_attribute("rel") == "noopener noreferrer"
        clean(v)


def test_keyboard_model(browser, sample):
    _, data, page = sample
    first = data["nodes"][0]
    with visit(browser, page.as_uri(), wait_for=READY) as v:
        for _ in range(8):
            v.page.keyboard.press("Tab")
            if v.page.evaluate("document.activeElement.classList.contains('vis-network')"):
                break
        else:
            pytest.fail("Tab never reached the network")
        frame = v.page.locator("#tg-network .vis-network")
        assert frame.get_attribute("role") == "application" and frame.get_attribute("aria-label")
        v.page.keyboard.press("ArrowRight")
        assert v.page.evaluate(f"{PAGE}.current()") == first["id"]
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == [first["id"]]
        assert v.page.inner_text("#tg-live").startswith(first["name"])
        v.page.keyboard.press("ArrowRight")
        assert v.page.evaluate(f"{PAGE}.current()") == data["nodes"][1]["id"]
        v.page.keyboard.press("ArrowLeft")
        assert v.page.evaluate(f"{PAGE}.current()") == first["id"]
        # Edge labels are drawn around the selected node only (the graph has too many edges for all).
        labelled = v.page.evaluate("Object.values(window.timelineGraph.body.edges)"
                                   ".filter(e => (e.options.label || '').trim()).map(e => e.id).sort()")
        assert labelled == sorted(e["id"] for e in data["edges"] if first["id"] in (e["from"], e["to"]))
        v.page.keyboard.press("Enter")
        v.page.wait_for_selector("#tg-panel:not([hidden])")
        assert v.page.inner_text("#tg-panel-title") == first["name"]
        assert v.page.evaluate("document.activeElement.id") == "tg-panel-title"
        v.page.keyboard.press("Escape")
        assert v.page.is_hidden("#tg-panel")
        assert v.page.evaluate("document.activeElement.classList.contains('vis-network')")
        # The focus ring is drawn: the canvas differs with and without keyboard focus on a node.
        focused = v.page.locator("#tg-network canvas").screenshot()
        v.page.evaluate("document.activeElement.blur()")
        assert v.page.locator("#tg-network canvas").screenshot() != focused
        clean(v)


def test_search_focuses_a_node(browser, sample):
    _, _, page = sample
    with visit(browser, page.as_uri(), reduced_motion=True, wait_for=READY) as v:
        before = v.page.evaluate("window.timelineGraph.getScale()")
        v.page.fill("#tg-search-input", "ICE")
        options = v.page.locator("#tg-search-list [role=option]")
        assert options.count() >= 1
        assert options.first.inner_text().startswith("U.S. Immigration and Customs Enforcement")
        assert v.page.get_attribute("#tg-search-input", "aria-expanded") == "true"
        v.page.keyboard.press("Enter")
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == ["ice"]
        assert v.page.evaluate("window.timelineGraph.getScale()") >= max(before, 1.2) - 1e-6
        assert v.page.inner_text("#tg-panel-title") == "U.S. Immigration and Customs Enforcement"
        assert v.page.is_hidden("#tg-search-list")
        # An alias works too, picked with the mouse.
        v.page.fill("#tg-search-input", "aws")
        v.page.locator("#tg-search-list [role=option]").first.click()
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == ["amazon-web-services"]
        clean(v)


def test_deep_link_zoom_buttons_and_wheel(browser, sample):
    _, _, page = sample
    with visit(browser, page.as_uri() + "#ice", reduced_motion=True, wait_for=READY) as v:
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == ["ice"]
        assert v.page.inner_text("#tg-panel-title") == "U.S. Immigration and Customs Enforcement"
        scale = v.page.evaluate("window.timelineGraph.getScale()")
        v.page.click("#tg-zoom-in")
        assert v.page.evaluate("window.timelineGraph.getScale()") == pytest.approx(scale * 1.25)
        v.page.click("#tg-zoom-out")
        v.page.click("#tg-zoom-out")
        assert v.page.evaluate("window.timelineGraph.getScale()") == pytest.approx(scale * 0.8)
        # A plain wheel is left to the page (no zoom); Ctrl + wheel zooms.
        box = v.page.locator("#tg-network").bounding_box()
        v.page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
        scale = v.page.evaluate("window.timelineGraph.getScale()")
        v.page.mouse.wheel(0, -200)
        assert v.page.evaluate("window.timelineGraph.getScale()") == pytest.approx(scale)
        v.page.keyboard.down("Control")
        v.page.mouse.wheel(0, -200)
        v.page.keyboard.up("Control")
        assert v.page.evaluate("window.timelineGraph.getScale()") > scale
        v.page.click("#tg-fit")
        # The text twin links focus their node.
        v.page.click("#tg-twin summary")
        v.page.click("#tg-twin th a[href='#amazon']")
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == ["amazon"]
        clean(v)


def test_hostile_text_stays_inert(browser, tmp_path):
    page = tmp_path / "hostile.html"
    page.write_text(render_graph(hostile_view()), encoding="utf-8")
    with visit(browser, page.as_uri(), wait_for=READY) as v:
        v.page.evaluate(f"{PAGE}.openNode('evil', {{}})")
        panel = v.page.inner_text("#tg-panel")
        assert HOSTILE_IMG in panel and "Wikidata" not in panel
        v.page.evaluate(f"{PAGE}.openEdge('pair:evil|target', {{}})")
        panel = v.page.inner_text("#tg-panel")
        assert f"Quote {HOSTILE_IMG} and {HOSTILE_SCRIPT}" in panel
        assert "open the article" not in panel, "a javascript: URL is not a link"
        v.page.fill("#tg-search-input", "<img")
        assert HOSTILE_IMG in v.page.inner_text("#tg-search-list")
        # Hover a node: vis-network's tooltip shows the text, not markup.
        v.page.keyboard.press("Escape")
        v.page.evaluate(f"{PAGE}.closePanel(false); window.timelineGraph.fit({{animation: false}})")
        point = v.page.evaluate("""() => {
            const net = window.timelineGraph, dom = net.canvasToDOM(net.getPosition('evil'));
            const box = document.querySelector('#tg-network .vis-network').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y}; }""")
        v.page.mouse.move(point["x"] - 3, point["y"] - 3)
        v.page.mouse.move(point["x"], point["y"], steps=3)
        v.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=3000)
        assert HOSTILE_SCRIPT in v.page.inner_text("div.vis-tooltip")
        assert v.page.evaluate("window.__xss") is None
        assert v.page.evaluate("document.querySelectorAll('img').length") == 0
        hrefs = v.page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.protocol)")
        assert "javascript:" not in hrefs
        assert v.page.title().startswith("Case <script>")
        clean(v)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path, host: str = "127.0.0.1"):
    """A static file server on a free port, in a thread; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_served_over_http_makes_no_requests(browser, sample):
    _, data, page = sample
    with serve(page.parent) as base, visit(browser, f"{base}/{page.name}", wait_for=READY) as v:
        assert v.page.evaluate("window.timelineGraph.body.data.nodes.length") == len(data["nodes"])
        v.page.evaluate(f"{PAGE}.openEdge('pair:amazon-web-services|ice', {{}})")
        assert data["events"][MEETING]["citations"][0]["quote"] in v.page.inner_text("#tg-panel")
        clean(v)


def test_cross_origin_iframe(browser, sample, tmp_path):
    _, data, page = sample
    with serve(page.parent, host="localhost") as inner:
        src = f"{inner}/{page.name}"
        host_page = tmp_path / "host.html"
        host_page.write_text(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Course page</title>"
            "<link rel='icon' href='data:,'></head><body><h1>Course page</h1><p>Before the graph.</p>\n"
            + embed_snippet(src, "The network", height=500)
            + "<p style='height:1500px'>After the graph.</p></body></html>", encoding="utf-8")
        with serve(tmp_path) as outer, visit(browser, f"{outer}/host.html") as v:
            frame_el = v.page.wait_for_selector("iframe")
            frame = frame_el.content_frame()
            frame.wait_for_selector(READY)
            assert frame.evaluate("location.origin") != v.page.evaluate("location.origin")
            assert frame.evaluate("window.timelineGraph.body.data.nodes.length") == len(data["nodes"])
            # The page reports its height and the snippet follows it.
            v.page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 700")
            # Search and keyboard inside the frame.
            frame.fill("#tg-search-input", "Amazon Web")
            frame.press("#tg-search-input", "Enter")
            assert frame.evaluate("window.timelineGraph.getSelectedNodes()") == ["amazon-web-services"]
            frame.focus("#tg-network .vis-network")
            v.page.keyboard.press("Enter")
            frame.wait_for_selector("#tg-panel:not([hidden])")
            v.page.keyboard.press("Escape")
            assert frame.is_hidden("#tg-panel")
            # No key listener leaked to the host: keys on the host page do nothing inside the frame.
            v.page.evaluate("document.activeElement && document.activeElement.blur()")
            v.page.keyboard.press("ArrowRight")
            assert frame.evaluate(f"{PAGE}.current()") == "amazon-web-services"
            assert v.console_errors == [] and v.page_errors == []
            assert v.requests == [src]


def test_reduced_motion_is_honoured(browser, sample):
    _, _, page = sample
    jump = """() => {
        const net = window.timelineGraph, page = window.timelineGraphPage;
        page.focusNode('ice', {open: false});
        const view = net.getViewPosition(), node = net.getPosition('ice');
        return {reduced: page.reducedMotion(), dx: Math.abs(view.x - node.x), dy: Math.abs(view.y - node.y)};
    }"""
    with visit(browser, page.as_uri(), reduced_motion=True, wait_for=READY) as v:
        moved = v.page.evaluate(jump)
        assert moved["reduced"] is True
        assert moved["dx"] < 1 and moved["dy"] < 1, "no animation: the view is on the node at once"
        clean(v)
    with visit(browser, page.as_uri(), wait_for=READY) as v:
        moved = v.page.evaluate(jump)
        assert moved["reduced"] is False
        assert moved["dx"] + moved["dy"] > 1, "animated otherwise"
        clean(v)


def test_two_thousand_nodes_open_and_work(browser, tmp_path):
    from timeline.testing.views import synthetic_view

    view = synthetic_view(8000, n_entities=2600)
    html = render_graph(view)
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["nodes"]) >= 2000
    page = tmp_path / "big.html"
    page.write_text(html, encoding="utf-8")
    start = time.perf_counter()
    with visit(browser, page.as_uri(), wait_for=READY) as v:
        ready = time.perf_counter() - start
        print(f"2,000-node page: {len(html.encode()) / 1e6:.1f} MB, interactive after {ready:.2f} s")
        assert v.page.evaluate("window.timelineGraph.body.data.nodes.length") == len(data["nodes"])
        assert ready < 30, f"took {ready:.1f} s to become interactive"  # a guard; timings live in benchmarks/
        target = data["nodes"][len(data["nodes"]) // 2]
        v.page.fill("#tg-search-input", target["name"])
        v.page.keyboard.press("Enter")
        assert v.page.evaluate("window.timelineGraph.getSelectedNodes()") == [target["id"]]
        v.page.click("#tg-fit")
        v.screenshot("graph-2000.png")
        clean(v)


def test_notebook_iframe_works(browser, sample, tmp_path):
    view, _, _ = sample
    page = graph_page(view, focus="ice")
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Notebook</title>"
                    "<link rel='icon' href='data:,'></head><body>" + page._repr_html_() + "</body></html>",
                    encoding="utf-8")
    with visit(browser, host.as_uri()) as v:
        frame = v.page.wait_for_selector("iframe").content_frame()
        frame.wait_for_selector(READY)
        expected = len(graph_data(view, focus="ice")["nodes"])
        assert frame.evaluate("window.timelineGraph.body.data.nodes.length") == expected
        frame.evaluate(f"{PAGE}.openNode('ice', {{}})")
        assert "Immigration" in frame.inner_text("#tg-panel-title")
        assert v.console_errors == [] and v.page_errors == [] and v.requests == []


# The drawn boxes of every node, in page px, and the canvas's own box.
_BOXES = """() => {
    const net = window.timelineGraph, frame = document.querySelector('#tg-network .vis-network');
    const r = frame.getBoundingClientRect();
    const nodes = net.body.data.nodes.getIds().map((id) => {
        const b = net.getBoundingBox(id), a = net.canvasToDOM({x: b.left, y: b.top}),
              z = net.canvasToDOM({x: b.right, y: b.bottom});
        return {id, left: r.left + a.x, top: r.top + a.y, right: r.left + z.x, bottom: r.top + z.y,
                hidden: net.body.nodes[id].options.hidden === true};
    });
    return {frame: {left: r.left, top: r.top, right: r.right, bottom: r.bottom}, nodes};
}"""


@pytest.mark.parametrize("size", [(1280, 800), (360, 740)])
def test_a_story_of_two_crashes_shows_them_as_boxes_that_open_on_click_or_tap(browser, tmp_path, size):
    """The airliner takes part only in its two crashes: its node is linked to both, every node is drawn inside
    the frame, and a crash's box opens its details (click on a screen, tap on a phone)."""
    page = tmp_path / "crashes.html"
    page.write_text(render_graph(airliner_view()), encoding="utf-8")
    phone = size[0] < 500
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=phone,
                                  is_mobile=phone, device_scale_factor=1)
    try:
        tab = context.new_page()
        requests, errors = [], []
        tab.on("request", lambda r: None if r.url.startswith((page.as_uri(), "data:")) else requests.append(r.url))
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto(page.as_uri())
        tab.wait_for_selector(READY)
        tab.locator("#tg-network").scroll_into_view_if_needed()
        drawn = tab.evaluate(_BOXES)
        frame = drawn["frame"]
        assert len(drawn["nodes"]) == 9
        for node in drawn["nodes"]:
            assert not node["hidden"], node["id"]
            assert frame["left"] <= node["left"] and node["right"] <= frame["right"], node
            assert frame["top"] <= node["top"] and node["bottom"] <= frame["bottom"], node
        assert tab.evaluate("window.timelineGraph.getConnectedNodes('max-8').sort()") == [
            "event:ethiopian-302", "event:lion-air-610"]
        box = next(n for n in drawn["nodes"] if n["id"] == "event:ethiopian-302")
        middle = ((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
        if phone:
            tab.touchscreen.tap(*middle)
        else:
            tab.mouse.click(*middle)
        tab.wait_for_selector("#tg-panel:not([hidden])")
        label, date = CRASHES["ethiopian-302"]
        assert tab.inner_text("#tg-panel-title") == label
        panel = tab.inner_text("#tg-panel")
        assert date in panel and "Boeing 737 MAX 8 (subject)" in panel
        assert f"{label}, the newspaper reported." in panel
        assert tab.locator("#tg-panel").is_visible()
        (Path(__file__).resolve().parent / "artifacts").mkdir(exist_ok=True)
        tab.screenshot(path=str(Path(__file__).resolve().parent / "artifacts" / f"graph-crashes-{size[0]}.png"),
                       full_page=True)
        assert requests == [] and errors == []
    finally:
        context.close()
