"""An event may carry an image (issue 18, part M): a file of the case, inlined into pages within a size
budget, or a URL shown as a link only; alt text and credit are required. Checked by validate, written to
the graph (and checked there by SHACL), read into the view, and inlined by ``media_src``."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset

from timeline import shacl
from timeline.case.images import BUDGET_TEXT, IMAGE_BUDGET, size_text
from timeline.cli import cli
from timeline.render.media import media_src
from timeline.shacl import scan as shacl_scan
from timeline.stores import open_store
from timeline.views.model import MediaView, load_view

PROBLEM = re.compile(r"^(?P<path>\S[^:]*?):(?:(?P<line>\d+):)? (?P<level>error|warning): (?P<message>.*)$")
EVENT_ID = "google-photos-tagging-2015"
CASE = "https://w3id.org/timeline/case/rekognition/"
MEDIA_NODE = f"{CASE}event/{EVENT_ID}/media"
TL = "https://w3id.org/timeline/ns#"
SCHEMA = "https://schema.org/"


def png(width: int = 2, height: int = 2, seed: int | None = None) -> bytes:
    """A valid PNG (8-bit RGB): red, or noise from ``seed`` (which barely compresses)."""
    noise = random.Random(seed)
    rows = b"".join(b"\x00" + (noise.randbytes(3 * width) if seed is not None else b"\xff\x00\x00" * width)
                    for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def errors(result: Result) -> list[tuple[Path, int, str]]:
    found = []
    for text in result.stderr.splitlines():
        m = PROBLEM.match(text)
        if m and m["level"] == "error":
            found.append((Path(m["path"]).resolve(), int(m["line"] or 0), m["message"]))
    return found


def add_media(case_dir: Path, *lines: str) -> Path:
    """Give the sample's first event a ``media`` mapping of ``lines`` (``key: value``)."""
    events = case_dir / "events.yaml"
    text = events.read_text(encoding="utf-8")
    record = f"- id: {EVENT_ID}\n"
    assert text.count(record) == 1
    block = "  media:\n" + "".join(f"    {line}\n" for line in lines)
    events.write_text(text.replace(record, record + block), encoding="utf-8")
    return events


def line_of(path: Path, fragment: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in text:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def write_image(case_dir: Path, name: str, data: bytes) -> Path:
    path = case_dir / "images" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def build(case_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "graph.nq"
    result = run("build", case_dir, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    return out


# ------------------------------------------------------------------ a good image, end to end


def test_an_image_file_validates_and_reaches_the_graph_the_view_and_the_page(case_copy, tmp_path) -> None:
    image = png()
    write_image(case_copy, "meeting.png", image)
    add_media(case_copy, "file: ./images/meeting.png", 'alt: "A red square"', 'credit: "Test pattern, CC0"')
    result = run("validate", case_copy, "-q")  # SHACL included, with the default (scan) engine
    assert result.exit_code == 0, result.output
    assert errors(result) == []

    graph = build(case_copy, tmp_path).read_text(encoding="utf-8")
    digest = hashlib.sha256(image).hexdigest()
    for line in (f"<{CASE}event/{EVENT_ID}> <{TL}media> <{MEDIA_NODE}>",
                 f"<{MEDIA_NODE}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{TL}Media>",
                 f'<{MEDIA_NODE}> <{TL}mediaFile> "images/meeting.png"',  # relative to the case, cleaned
                 f'<{MEDIA_NODE}> <{SCHEMA}sha256> "{digest}"',
                 f'<{MEDIA_NODE}> <{TL}altText> "A red square"',
                 f'<{MEDIA_NODE}> <{SCHEMA}creditText> "Test pattern, CC0"'):
        assert line in graph, line

    view = load_view(open_store(tmp_path / "graph.nq"))
    media = {e.id: e.media for e in view.events}
    assert media[EVENT_ID] == MediaView("images/meeting.png", None, "A red square", "Test pattern, CC0", digest)
    assert sum(m is not None for m in media.values()) == 1
    src = media_src(media[EVENT_ID], case_copy)
    assert src is not None and src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.removeprefix("data:image/png;base64,")) == image
    assert '"media":{"alt":"A red square"' in view.to_json()
    assert view.to_json().count('"media"') == 1  # events without an image carry no key: pages stay as they were


def test_an_image_url_is_kept_as_a_link_and_never_inlined(case_copy, tmp_path) -> None:
    url = "https://example.org/photos/meeting.jpg"
    add_media(case_copy, f"url: {url}", "alt: A meeting room", "credit: Example Photo Agency")
    assert run("validate", case_copy, "-q").exit_code == 0
    graph = build(case_copy, tmp_path).read_text(encoding="utf-8")
    assert f"<{MEDIA_NODE}> <{SCHEMA}contentUrl> <{url}>" in graph
    assert f"<{MEDIA_NODE}> <{TL}mediaFile>" not in graph
    [event] = [e for e in load_view(open_store(tmp_path / "graph.nq")).events if e.media]
    assert event.media == MediaView(None, url, "A meeting room", "Example Photo Agency", None)
    assert media_src(event.media, case_copy) is None


# ------------------------------------------------------------------ bad input: one line each, at its field


def _outside(case_dir: Path) -> str:
    """An image beside the case, reached through a symlink inside it."""
    outside = case_dir.parent / "outside.png"
    outside.write_bytes(png())
    (case_dir / "images").mkdir(exist_ok=True)
    (case_dir / "images" / "link.png").symlink_to(outside)
    return "file: images/link.png"


BAD = {
    # name: (setup returning the file line or None, media lines, the line's fragment, what the error says)
    "missing alt": (None, ["file: images/ok.png", "credit: Someone"], "  media:", "missing 'alt': write alt:"),
    "empty credit": (None, ["file: images/ok.png", "alt: A square", 'credit: ""'], 'credit: ""',
                     "missing 'credit': write credit:"),
    "both file and url": (None, ["file: images/ok.png", "url: https://example.org/a.png", "alt: A", "credit: B"],
                          "url: https://example.org/a.png", "give a file or a url, not both"),
    "neither file nor url": (None, ["alt: A", "credit: B"], "  media:", "missing 'file' or 'url'"),
    "../ escape": (None, ["file: ../outside.png", "alt: A", "credit: B"], "file: ../outside.png",
                   "points outside the case directory: copy the image into it"),
    "absolute path": (None, ["file: /etc/passwd", "alt: A", "credit: B"], "file: /etc/passwd",
                      "is an absolute path: copy the image into the case directory"),
    "symlink out of the case": (_outside, ["alt: A", "credit: B"], "file: images/link.png",
                                "is a link to a file outside the case directory"),
    "missing file": (None, ["file: images/none.png", "alt: A", "credit: B"], "file: images/none.png",
                     "images/none.png does not exist in the case directory"),
    "text file named .jpg": (lambda c: (write_image(c, "fake.jpg", b"just some text\n"), "file: images/fake.jpg")[1],
                             ["alt: A", "credit: B"], "file: images/fake.jpg",
                             "images/fake.jpg is not an image: its content is not PNG, JPEG, GIF or WebP"),
    "too big": (lambda c: (write_image(c, "big.png", png(420, 420, seed=1)), "file: images/big.png")[1],
                ["alt: A", "credit: B"], "file: images/big.png",
                re.compile(r"images/big\.png is \d+ KiB; the budget is 400 KiB: resize it")),
    "javascript: url": (None, ["url: javascript:alert(1)", "alt: A", "credit: B"], "url: javascript:",
                        "field 'url' must be an http(s) URL"),
    "not a mapping": (None, [], "  media:", "media must be a mapping"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_image_is_one_error_at_its_field_saying_how_to_fix_it(case_copy, name) -> None:
    setup, lines, fragment, says = BAD[name]
    write_image(case_copy, "ok.png", png())
    first = [setup(case_copy)] if setup else []
    if name == "not a mapping":
        events = case_copy / "events.yaml"
        text = events.read_text(encoding="utf-8")
        events.write_text(text.replace(f"- id: {EVENT_ID}\n", f"- id: {EVENT_ID}\n  media: images/ok.png\n"),
                          encoding="utf-8")
    else:
        events = add_media(case_copy, *first, *lines)
    result = run("validate", case_copy, "-q")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [(path, line, message)] = errors(result)
    assert (path, line) == (events.resolve(), line_of(events, fragment))
    assert f"event '{EVENT_ID}' media" in message
    assert says.search(message) if isinstance(says, re.Pattern) else says in message, message
    assert "\n" not in message


def test_sizes_are_said_as_a_person_reads_them() -> None:
    assert size_text(int(1.2 * 1024 * 1024)) == "1.2 MiB"
    assert size_text(IMAGE_BUDGET) == BUDGET_TEXT == "400 KiB"
    assert size_text(12) == "12 bytes"


def test_an_image_at_the_budget_passes_and_one_byte_more_does_not(case_copy) -> None:
    image = png()
    write_image(case_copy, "edge.png", image + b"\x00" * (IMAGE_BUDGET - len(image)))
    add_media(case_copy, "file: images/edge.png", "alt: A", "credit: B")
    assert run("validate", case_copy, "-q").exit_code == 0
    with (case_copy / "images" / "edge.png").open("ab") as f:
        f.write(b"\x00")
    assert run("validate", case_copy, "-q").exit_code == 1


@pytest.mark.parametrize(("magic", "kind"), [(b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
                                             (b"GIF89a" + b"\x00" * 16, "gif"),
                                             (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8, "webp")])
def test_jpeg_gif_and_webp_are_told_by_their_bytes_whatever_their_name(case_copy, tmp_path, magic, kind) -> None:
    write_image(case_copy, "picture.png", magic)  # the name says PNG: the bytes decide
    add_media(case_copy, "file: images/picture.png", "alt: A", "credit: B")
    assert run("validate", case_copy, "-q").exit_code == 0
    build(case_copy, tmp_path)
    [event] = [e for e in load_view(open_store(tmp_path / "graph.nq")).events if e.media]
    assert (media_src(event.media, case_copy) or "").startswith(f"data:image/{kind};base64,")


# ------------------------------------------------------------------ media_src checks the file again


def test_media_src_shows_nothing_for_a_file_changed_moved_or_escaped_since_the_build(case_copy, tmp_path) -> None:
    image = write_image(case_copy, "meeting.png", png())
    add_media(case_copy, "file: images/meeting.png", "alt: A", "credit: B")
    build(case_copy, tmp_path)
    [event] = [e for e in load_view(open_store(tmp_path / "graph.nq")).events if e.media]
    assert media_src(event.media, case_copy) is not None
    assert media_src(event.media, None) is None  # no case directory known
    image.write_bytes(png(3, 3))  # still an image, but not the one the graph was built with: stale
    assert media_src(event.media, case_copy) is None
    outside = tmp_path / "same.png"
    outside.write_bytes(png())  # the very bytes of the build, but reached through a link out of the case
    image.unlink()
    image.symlink_to(outside)
    assert media_src(event.media, case_copy) is None
    image.unlink()
    assert media_src(event.media, case_copy) is None  # gone
    escaping = MediaView("../same.png", None, "A", "B", event.media.sha256)
    assert media_src(escaping, case_copy / "images") is None


# ------------------------------------------------------------------ SHACL: both engines


@pytest.fixture
def media_graph(case_copy, tmp_path) -> str:
    write_image(case_copy, "meeting.png", png())
    add_media(case_copy, "file: images/meeting.png", "alt: A red square", "credit: Test pattern, CC0")
    return build(case_copy, tmp_path).read_text(encoding="utf-8")


def _without(text: str, predicate: str) -> bytes:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith(f"<{MEDIA_NODE}> <{predicate}> ")).encode("utf-8")


def test_both_shacl_engines_accept_an_image_and_the_scan_checks_it_itself(media_graph) -> None:
    data = media_graph.encode("utf-8")
    assert shacl.validate_nquads(data) == []
    scan = shacl_scan.Scan()
    assert scan.refused is None  # the shapes are within the scan engine
    assert shacl_scan.validate_sorted_nquads(data) == []


@pytest.mark.parametrize("predicate", [TL + "altText", SCHEMA + "creditText"])
def test_an_image_without_alt_text_or_credit_is_a_shacl_violation(media_graph, predicate) -> None:
    broken = _without(media_graph, predicate)
    by_sparql = shacl.validate_nquads(broken)
    assert {(v.focus, v.path) for v in by_sparql} == {(MEDIA_NODE, predicate)}
    assert shacl_scan.validate_sorted_nquads(broken) == by_sparql
    dataset = Dataset()
    dataset.parse(data=broken, format="nquads")
    assert {(v.focus, v.path) for v in shacl.validate_pyshacl(dataset)} == {(MEDIA_NODE, predicate)}


# ------------------------------------------------------------------ the field reference of a new case


def test_the_field_reference_a_new_case_copies_describes_media(sample_case) -> None:
    header = [line for line in (sample_case / "events.yaml").read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    text = "\n".join(header)
    assert "media" in text and "alt" in text and "credit" in text
    assert BUDGET_TEXT in text  # the budget the reference states is the one validate applies
