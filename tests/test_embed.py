"""The embed snippet is text a course author pastes into a host page: its exact form is pinned here, with a
hostile title and a file name that looks like a URL scheme."""

from __future__ import annotations

from timeline.render.embed import embed_snippet

SCRIPT = """<script>
(function () {
  var frame = document.getElementById('%s');
  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || !event.data || event.data.type !== 'timeline:height') return;
    var h = Number(event.data.height);
    if (h > 0 && h < 20000) frame.style.height = Math.ceil(h) + 'px';
  });
})();
</script>
"""


def test_the_snippet_escapes_the_title_and_source_into_its_attributes() -> None:
    snippet = embed_snippet('timeline.html?x="1"&y=<2>', "A <b>title</b> & 'q'", height=501)
    assert snippet == (
        '<iframe id="timeline-ed1643cc8b" src="timeline.html?x=&quot;1&quot;&amp;y=&lt;2&gt;" '
        'title="A &lt;b&gt;title&lt;/b&gt; &amp; &#x27;q&#x27;" loading="lazy"\n'
        '        style="width:100%;max-width:100%;height:501px;border:0" referrerpolicy="no-referrer"></iframe>\n'
        + SCRIPT % "timeline-ed1643cc8b")


def test_a_file_name_with_a_scheme_stays_a_relative_path() -> None:
    snippet = embed_snippet("javascript:alert(1)", "x", height=502)
    assert snippet.startswith('<iframe id="timeline-0595367e6c" src="./javascript:alert(1)" title="x" ')
    assert snippet.endswith(SCRIPT % "timeline-0595367e6c")
    assert 'src="https://example.org/t.html"' in embed_snippet("https://example.org/t.html", "x")
