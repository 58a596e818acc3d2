"""Read a case directory into model objects, checking each record's shape.

A case directory holds ``case.yaml``, ``articles/*.md`` (YAML front matter and
the article text), ``entities.yaml``, ``events.yaml`` and ``claims.yaml``.
Every problem is collected with its file and line; nothing stops at the first.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from timeline import htmlsafe, namespaces
from timeline.case import articles, images, yamlio
from timeline.case.dates import DateSpan, EdtfError, parse_edtf
from timeline.case.model import Case, Citation, Claim, DraftRecord, Entity, Event, Media, Participant, Source
from timeline.errors import Problem, close_matches, did_you_mean, display_path

# \Z, not $: "$" also matches before a final newline, and an id "amazon\n" would make an IRI with a newline in it.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
URL_RE = re.compile(r"^https?://[^\s<>\"']+\Z")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*\Z")
MAX_ARTICLE_BYTES = 5_000_000
RECORD_FILES = ("entities.yaml", "events.yaml", "claims.yaml")
#: Review fields of a draft record, not part of the case's format: left out when it is accepted.
DRAFT_ONLY = ("status", "evidence")

# Field name -> (kind, required). Kinds are checked by check_value. A "ref" names an entity by its id, label
# or alias; timeline.case.checks resolves it to the id (timeline.case.names), so the graph's IRIs always come from ids.
CASE_FIELDS = {
    "id": ("id", True), "title": ("str", True), "description": ("str", False),
    "language": ("str", False), "base": ("base", False),
}
SOURCE_FIELDS = {
    "id": ("id", True), "title": ("str", True), "title_supplied": ("bool", False),
    "publisher": ("ref", False), "publisher_note": ("str", False), "published": ("edtf", True),
    "published_note": ("str", False), "url": ("url", False), "language": ("str", True),
    "seed": ("str", False), "trimmed": ("str", False), "sha256": ("any", False),  # checked by _hash
}
ENTITY_FIELDS = {
    "id": ("id", True), "type": ("str", True), "label": ("str", True), "aliases": ("strs", False),
    "description": ("str", False), "wikidata": ("wikidata", False), "member_of": ("refs", False),
    "parent": ("ref", False), "made_by": ("ref", False), "located_in": ("ref", False),
    "position": ("str", False), "note": ("str", False),
}
DATE_FIELDS = {"date": ("edtf", False), "date_basis": ("str", False), "date_note": ("str", False)}
EVENT_FIELDS = {
    "id": ("id", True), "type": ("ids", True), "label": ("str", True), "description": ("str", True),
    **DATE_FIELDS, "place": ("ref", False), "participants": ("list", True), "produced": ("refs", False),
    "responds_to": ("ids", False), "sub_event_of": ("ids", False), "citations": ("list", True),
    "note": ("str", False), "media": ("any", False),  # read by _media
}
EVENT_FIELDS["date"] = ("edtf", True)
#: An event's image: exactly one of file and url, and alt and credit (checked by _media, to say how to fix).
MEDIA_FIELDS = {"file": ("any", False), "url": ("url", False), "alt": ("any", False), "credit": ("any", False)}
_MEDIA_TEXT = {
    "alt": 'alt: "what the image shows", read out to those who cannot see it',
    "credit": 'credit: "who made the image, and its licence"',
}
CLAIM_FIELDS = {
    "id": ("id", True), "claimant": ("ref", True), "on_behalf_of": ("ref", False), "about": ("refs", True),
    "stance": ("id", True), "text": ("str", True), "stated_in": ("id", False), **DATE_FIELDS,
    "citations": ("list", True), "contradicts": ("ids", False), "corroborates": ("ids", False),
    "source_reliability": ("grade", False), "information_credibility": ("credibility", False),
    "note": ("str", False),
}
PARTICIPANT_FIELDS = {"entity": ("ref", True), "role": ("id", True)}
CITATION_FIELDS = {"source": ("id", True), "quote": ("str", True)}


class _Reader:
    """Collects problems while reading one file."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.shown = display_path(path)
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message, "warning"))

    def fields(self, raw: Any, spec: dict[str, tuple[str, bool]], what: str, line: int,
               fixes: dict[str, Callable[[], str]] | None = None) -> dict[str, Any] | None:
        """Check a mapping against ``spec``; return the cleaned values or None.

        ``fixes``: for a field, how to write it (made only when needed); said when a misspelt key stands for it.
        """
        if raw is None:
            self.error(line, f"{what} is empty")
            return None
        if not isinstance(raw, yamlio.LineDict):
            self.error(line, f"{what} must be a mapping of field: value, not {_kind(raw)}")
            return None
        values: dict[str, Any] = {}
        ok = True
        misspelt: set[str] = set()  # fields a typo stands for: "unknown field 'dat' (did you mean 'date'?)" says it
        for key in raw:
            if key not in spec:
                meant = _meant(key, spec)
                fix = f": {fixes[meant[0]]()}" if meant and fixes and meant[0] in fixes else ""
                self.error(raw.line_of(key), f"{what}: unknown field {key!r}{did_you_mean(str(key), spec)}{fix}")
                misspelt.update(meant)
                ok = False
        for key, (kind, required) in spec.items():
            if key not in raw or raw[key] is None or raw[key] == "":
                if required and key not in misspelt:
                    self.error(raw.line, f"{what}: missing required field {key!r}")
                    ok = False
                continue
            value, message = check_value(kind, raw[key])
            if message:
                self.error(raw.line_of(key), f"{what}: field {key!r} {message}")
                ok = False
            else:
                values[key] = value
        return values if ok else None


def _kind(value: Any) -> str:
    return {dict: "a mapping", yamlio.LineDict: "a mapping", list: "a list", yamlio.LineList: "a list",
            str: "a string", int: "a number", float: "a number", bool: "true/false", type(None): "nothing",
            bytes: "binary data"}.get(type(value), type(value).__name__)


def _shown(value: Any, limit: int = 80) -> str:
    """A value for a message, kept short: never the whole of a huge (or YAML-alias-bombed) list or text."""
    if isinstance(value, (list, dict, bytes)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _as_id_list(value: Any) -> tuple[list[str] | None, str | None]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not ID_RE.match(item):
            return None, f"must be an id or a list of ids (lower-case letters, digits, '-'), got {_shown(item)}"
    return list(items), None


# Control characters (a newline, a tab ...) never belong to a name: "amazon\n" is a mistake, not "amazon".
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _as_ref(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str) and value.strip() and not _CONTROL.search(value.strip(" ")):
        return value.strip(" "), None
    return None, f"must be an entity's id, label or alias on one line, got {_shown(value)}"


def _is_iri(value: str) -> bool:
    """Whether ``value`` is a valid absolute IRI (RFC 3987), as RDF needs."""
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return False
    return True


def check_value(kind: str, value: Any) -> tuple[Any, str | None]:
    """Validate one field value; return (clean value, None) or (None, message)."""
    if kind == "str":
        return (value.strip(), None) if isinstance(value, str) and value.strip() else (
            None, f"must be text, got {_kind(value)}")
    if kind == "id":
        if isinstance(value, str) and ID_RE.match(value):
            return value, None
        return None, f"must be an id (lower-case letters, digits and '-'), got {_shown(value)}"
    if kind == "ids":
        return _as_id_list(value)
    if kind == "ref":
        return _as_ref(value)
    if kind == "refs":
        if not isinstance(value, list):
            ref, message = _as_ref(value)
            return ([ref], None) if message is None else (None, message)
        refs = [_as_ref(item) for item in value]
        for item, (_ref, message) in zip(value, refs, strict=True):
            if message:
                return None, f"must be a list of entities' ids, labels or aliases, each on one line, got {_shown(item)}"
        return [ref for ref, _message in refs], None
    if kind == "any":
        return value, None
    if kind == "strs":
        items = value if isinstance(value, list) else [value]
        if all(isinstance(v, str) and v.strip() for v in items):
            return [v.strip() for v in items], None
        return None, "must be a list of texts"
    if kind == "list":
        return (value, None) if isinstance(value, list) and value else (None, "must be a non-empty list")
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, f"must be true or false, got {_shown(value)}")
    if kind == "edtf":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return None, f"must be an EDTF date such as 2018-06, got {_kind(value)}"
        try:
            return parse_edtf(str(value)), None
        except EdtfError as exc:
            return None, f"is not a valid date: {exc}"
    if kind in ("url", "base"):
        # The URL becomes an IRI in the graph: one that N-Quads cannot carry would fail the build later.
        if isinstance(value, str) and URL_RE.match(value) and _is_iri(value):
            if kind == "url" or _is_iri(value + "entity/x"):
                return value, None
            return None, f"must be a base IRI that ends with '/' or '#', got {_shown(value)}"
        return None, f"must be an http(s) URL, got {_shown(value)}"
    if kind == "wikidata":
        if isinstance(value, str) and WIKIDATA_RE.match(value):
            return value, None
        return None, f"must be a Wikidata item id such as Q3884, got {_shown(value)}"
    if kind == "grade":
        if isinstance(value, str) and value in "ABCDEF" and len(value) == 1:
            return value, None
        return None, f"must be a reliability grade A-F, got {_shown(value)}"
    if kind == "credibility":
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
            return value, None
        return None, f"must be a credibility grade 1-6, got {_shown(value)}"
    raise ValueError(kind)  # a programming error, not a user one


# ---------------------------------------------------------------- files


def _read_text(reader: _Reader) -> str | None:
    try:
        info = reader.path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            reader.error(0, f"cannot read: {kind}")
            return None
        if info.st_size > MAX_ARTICLE_BYTES:  # before reading: a huge file is refused at once
            reader.error(0, f"file is {info.st_size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,}")
            return None
        with reader.path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        reader.error(0, f"cannot read: {exc.strerror or exc}")
        return None
    if len(data) > MAX_ARTICLE_BYTES:  # it grew since stat()
        reader.error(0, f"file is over {MAX_ARTICLE_BYTES:,} bytes, the limit")
        return None
    return decode_text(data, reader.error)


def decode_text(data: bytes, error: Callable[[int, str], None]) -> str | None:
    """UTF-8 text with any BOM removed and CRLF as LF; else None after ``error(line, message)``
    naming what the bytes look like (binary, UTF-16, or which single-byte encoding)."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        error(0, "binary file, not text")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        error(0, "file is UTF-16 encoded; save it as UTF-8")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = "Windows-1252 or Latin-1" if _looks_single_byte(data) else "an unknown encoding"
        line = data[: exc.start].count(b"\n") + 1
        error(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}; the file looks like {guess}); "
                    "save it as UTF-8")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _looks_single_byte(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _load_yaml(reader: _Reader, text: str, line_offset: int = 0, empty: str = "") -> Any:
    """The YAML data of ``text``, or None after reporting a syntax error; no data at all (an empty
    document) is reported as the error ``empty`` when one is given."""
    try:
        data = yamlio.loads(text, line_offset)
    except yaml.YAMLError as exc:
        line, message = yamlio.error_line(exc, text)
        reader.error(line + line_offset if line else 0, message)
        return None
    except RecursionError:  # yamlio limits nesting; this is a last resort
        reader.error(0, "invalid YAML: nested too deeply")
        return None
    if data is None and empty:
        reader.error(1, empty)
    return data


_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)


def _records(path: Path, problems: list[Problem]) -> tuple[_Reader, yamlio.LineList | None]:
    """The records of one YAML file, or None if the file could not be read."""
    reader = _Reader(path, problems)
    if not path.exists():
        reader.error(0, "missing file")
        return reader, None
    text = _read_text(reader)
    if text is None:
        return reader, None
    if not _COMMENT_LINE.sub("", text).strip():  # empty, or only comments (a new case's files): no records yet
        return reader, yamlio.LineList()
    data = _load_yaml(reader, text, empty="expected a list of records")
    if data is None:
        return reader, None
    if not isinstance(data, yamlio.LineList):
        reader.error(getattr(data, "line", 1), f"expected a list of records (- id: ...), not {_kind(data)}")
        return reader, None
    return reader, data


# ------------------------------------------------------------- records


def _citations(reader: _Reader, raw: list[Any], what: str, parent: yamlio.LineDict) -> list[Citation]:
    result = []
    items = parent["citations"]
    for i, item in enumerate(raw):
        line = items.line_of(i) if isinstance(items, yamlio.LineList) else parent.line
        values = reader.fields(item, CITATION_FIELDS, f"{what} citation {i + 1}", line)
        if values:
            quote_line = item.line_of("quote")
            result.append(Citation(values["source"], item["quote"], quote_line))
    return result


def _dated(reader: _Reader, values: dict[str, Any], raw: yamlio.LineDict, what: str) -> None:
    basis = values.get("date_basis")
    if basis is not None and basis not in ("stated", "resolved", "inferred", "external"):
        reader.error(raw.line_of("date_basis"), f"{what}: date_basis must be stated, resolved, inferred or "
                     f"external, not {basis!r}{did_you_mean(basis, {'stated', 'resolved', 'inferred', 'external'})}")
    if "date" in values and basis is None:
        reader.error(raw.line_of("date"), f"{what}: a date needs a date_basis (stated, resolved, inferred or external)")
    if basis in ("resolved", "inferred", "external") and not values.get("date_note"):
        reader.error(raw.line_of("date_basis"), f"{what}: date_basis {basis!r} needs a date_note saying how "
                     "the date was determined")


def _describe(kind: str, raw: Any, index: int) -> str:
    """``event 'id'`` for messages, or ``event #3`` when the record has no usable id."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"{kind} {_shown(raw['id'])}"
    return f"{kind} #{index + 1}"


def _event(reader: _Reader, raw: Any, index: int, line: int) -> Event | None:
    what = _describe("event", raw, index)
    values = reader.fields(raw, EVENT_FIELDS, what, line)
    if values is None:
        return None
    _dated(reader, values, raw, what)
    participants = []
    for i, item in enumerate(values["participants"]):
        p_line = raw["participants"].line_of(i)
        p = reader.fields(item, PARTICIPANT_FIELDS, f"{what} participant {i + 1}", p_line)
        if p:
            participants.append(Participant(p["entity"], p["role"], p_line))
    return Event(
        id=values["id"], path=reader.path, line=raw.line, types=values["type"], label=values["label"],
        description=values["description"], date=values["date"], date_basis=values.get("date_basis"),
        date_note=values.get("date_note"), place=values.get("place"), participants=participants,
        produced=values.get("produced", []), responds_to=values.get("responds_to", []),
        sub_event_of=values.get("sub_event_of", []),
        citations=_citations(reader, values["citations"], what, raw), note=values.get("note"),
        media=_media(reader, raw, what) if "media" in values else None, field_lines=dict(raw.key_lines),
    )


def _media(reader: _Reader, parent: yamlio.LineDict, what: str) -> Media | None:
    """An event's ``media``, its shape checked (the file itself is checked by timeline.case.checks); None
    after an error."""
    raw, line = parent["media"], parent.line_of("media")
    values = reader.fields(raw, MEDIA_FIELDS, f"{what} media", line)
    if values is None:
        return None
    ok = True
    for key in ("alt", "credit"):
        value = values.get(key)  # an empty value is missing
        if not isinstance(value, str) or not value.strip():
            said = f"missing {key!r}" if value is None else f"{key!r} must be text, got {_shown(value)}"
            reader.error(raw.key_lines.get(key, line), f"{what} media: {said}: write {_MEDIA_TEXT[key]}")
            ok = False
    file, url = values.get("file"), values.get("url")
    if file is not None and url is not None:
        reader.error(raw.line_of("url"), f"{what} media: give a file or a url, not both: keep file (an image in "
                     "the case directory, shown in pages) or url (shown as a link only)")
        return None
    if file is None and url is None:
        reader.error(line, f"{what} media: missing 'file' or 'url': write file: images/NAME.png (an image in "
                     "the case directory) or url: https://... (shown as a link only)")
        return None
    if url is not None and htmlsafe.safe_url(url) != url:  # check_value took it; pages' rule, said once more
        reader.error(raw.line_of("url"), f"{what} media: field 'url' must be an http(s) URL, got {_shown(url)}")
        return None
    if file is not None:
        file = _media_file(reader, raw, what, file)
        ok = ok and file is not None
    if not ok:
        return None
    return Media(alt=values["alt"].strip(), credit=values["credit"].strip(), file=file, url=url, line=raw.line,
                 field_lines=dict(raw.key_lines))


def _media_file(reader: _Reader, raw: yamlio.LineDict, what: str, value: Any) -> str | None:
    """The media file's path relative to the case, cleaned; None after an error."""
    if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
        reader.error(raw.line_of("file"), f"{what} media: field 'file' must be the path of an image in the case "
                     f"directory, such as images/NAME.png, got {_shown(value)}")
        return None
    try:
        return images.relative_path(value.strip())
    except images.ImageError as exc:
        reader.error(raw.line_of("file"), f"{what} media: file {exc}")
        return None


def _claim(reader: _Reader, raw: Any, index: int, line: int) -> Claim | None:
    what = _describe("claim", raw, index)
    values = reader.fields(raw, CLAIM_FIELDS, what, line)
    if values is None:
        return None
    _dated(reader, values, raw, what)
    return Claim(
        id=values["id"], path=reader.path, line=raw.line, claimant=values["claimant"], text=values["text"],
        stance=values["stance"], about=values["about"], on_behalf_of=values.get("on_behalf_of"),
        stated_in=values.get("stated_in"), date=values.get("date"), date_basis=values.get("date_basis"),
        date_note=values.get("date_note"), citations=_citations(reader, values["citations"], what, raw),
        contradicts=values.get("contradicts", []), corroborates=values.get("corroborates", []),
        source_reliability=values.get("source_reliability"),
        information_credibility=values.get("information_credibility"), note=values.get("note"),
        field_lines=dict(raw.key_lines),
    )


def _entity(reader: _Reader, raw: Any, index: int, line: int) -> Entity | None:
    what = _describe("entity", raw, index)
    values = reader.fields(raw, ENTITY_FIELDS, what, line)
    if values is None:
        return None
    return Entity(
        id=values["id"], type=values["type"], label=values["label"], path=reader.path, line=raw.line,
        aliases=values.get("aliases", []), description=values.get("description"),
        wikidata=values.get("wikidata"), member_of=values.get("member_of", []),
        parent=values.get("parent"), made_by=values.get("made_by"), located_in=values.get("located_in"),
        position=values.get("position"), note=values.get("note"), field_lines=dict(raw.key_lines),
    )


def _source(path: Path, problems: list[Problem]) -> Source | None:
    reader = _Reader(path, problems)
    text = _read_text(reader)
    if text is None:
        return None
    if not text.startswith("---\n"):
        reader.error(1, "an article starts with YAML front matter between '---' lines")
        return None
    parts = articles.split(text)
    if parts is None:
        reader.error(1, "the front matter is not closed by a '---' line")
        return None
    front, body = parts
    meta = _load_yaml(reader, front, line_offset=1,
                      empty="the front matter is empty; it needs id, title, published, language and sha256")
    if meta is None:
        return None
    values = reader.fields(meta, SOURCE_FIELDS, "article front matter", 1,
                           {"sha256": lambda: _write_hash(reader, articles.sha256_of(body))})
    if not body.strip():
        reader.error(0, "the article text is empty")
        return None
    hashed = _hash(reader, meta, body)
    if values is None:
        return None
    if values["id"] != path.stem:
        reader.error(meta.line_of("id"), f"id {values['id']!r} differs from the file name {path.name!r}")
    return Source(
        id=values["id"], path=path, line=meta.line_of("id"), title=values["title"], text=body,
        sha256=hashed, language=values["language"], published=values["published"],
        published_note=values.get("published_note"), title_supplied=values.get("title_supplied", False),
        publisher=values.get("publisher"), publisher_note=values.get("publisher_note"),
        url=values.get("url"), seed=values.get("seed"), trimmed=values.get("trimmed"),
    )


def _meant(key: Any, spec: dict[str, Any]) -> list[str]:
    """The field an unknown key is a typo of (``dat`` -> ``date``), as "did you mean" suggests it; or ``[]``."""
    return close_matches(str(key), spec, n=1)


def _write_hash(reader: _Reader, digest: str) -> str:
    """``write `sha256: ...` (what is hashed), or run ...``: the end of every error about an article's hash."""
    # articles live in CASE/articles/
    return (f"write `sha256: {articles.sha256_yaml(digest)}` ({articles.HASHED}), "
            f"{articles.fix_hint(reader.path.parent.parent)}")


def _hash(reader: _Reader, meta: Any, body: str) -> str:
    """The hash of ``body``, after an error if the front matter does not give it; the error says what is
    hashed and the line to write. (The article is still read, so its quotes are checked in the same run.)"""
    digest = articles.sha256_of(body)
    if not isinstance(meta, yamlio.LineDict):
        return digest  # reader.fields reported it
    write = _write_hash(reader, digest)
    given = meta.get("sha256")
    if given is None or given == "":
        # a misspelt key ("sha265") already has its error, with the value to write
        if not any(_meant(k, SOURCE_FIELDS) == ["sha256"] for k in meta if k not in SOURCE_FIELDS):
            reader.error(meta.line_of("sha256"), f"article front matter: missing required field 'sha256': {write}")
        return digest
    if not isinstance(given, str) or not re.fullmatch(r"[0-9a-f]{64}", given):
        number = " (YAML reads unquoted digits as a number)" if isinstance(given, (int, float)) else ""
        reader.error(meta.line_of("sha256"), f"article front matter: field 'sha256' must be 64 lower-case hex "
                     f"digits, got {_shown(given)}{number}: {write}")
        return digest
    if given != digest:
        reader.error(meta.line_of("sha256"), f"sha256 does not match the article text (edited since?): if on "
                     f"purpose, re-check its quotes and {write}")
        return digest
    return digest


def load_case(path: Path) -> tuple[Case | None, list[Problem]]:
    """Read a case directory. Returns the case (None if it is not a case directory) and problems.

    A broken ``case.yaml`` is reported and the rest is read all the same, so one run lists every problem.
    References to entities are left as written: :func:`timeline.case.checks.check_case` resolves them to ids.
    """
    problems: list[Problem] = []
    path = Path(path)
    if not path.exists():
        return None, [Problem(display_path(path), 0, "case directory does not exist")]
    if not path.is_dir():
        return None, [Problem(display_path(path), 0, "not a directory (a case is a directory with case.yaml)")]
    reader = _Reader(path / "case.yaml", problems)
    if not reader.path.exists():
        reader.error(0, "missing case.yaml: not a case directory")
        return None, problems
    text = _read_text(reader)
    empty = "case.yaml is empty; it needs at least id and title"
    meta = _load_yaml(reader, text, empty=empty) if text is not None else None
    values = reader.fields(meta, CASE_FIELDS, "case", 1) if meta is not None else None
    if values is None:
        # Its problems are reported; read the rest of the case anyway, so one run shows every problem.
        # The stand-in values never reach a graph: an error stops the build.
        values = {"id": path.name if ID_RE.match(path.name) else "case", "title": path.name}
    case = Case(
        id=values["id"], path=path, title=values["title"], description=values.get("description", ""),
        language=values.get("language", "en"), base=values.get("base") or namespaces.case_base(values["id"]),
    )
    seen: dict[str, tuple[str, int]] = {}

    def add(table: dict[str, Any], record: Any, reader: _Reader) -> None:
        if record.id in seen:
            where, line = seen[record.id]
            reader.error(record.line, f"duplicate id {record.id!r} (first defined at {where}:{line})")
            return
        seen[record.id] = (reader.shown, record.line)
        table[record.id] = record

    article_paths = sorted((path / "articles").glob("*.md")) if (path / "articles").is_dir() else []
    if not article_paths:  # a new case has none yet; a record citing one is an error of its own
        _Reader(path / "articles", problems).warn(0, "no articles (*.md) yet; add one with `timeline add FILE`")
    for article in article_paths:
        source = _source(article, problems)
        if source:
            add(case.sources, source, _Reader(article, problems))
        else:
            case.failed_ids.add(article.stem)

    builders: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
        "entities.yaml": (_entity, case.entities),
        "events.yaml": (_event, case.events),
        "claims.yaml": (_claim, case.claims),
    }
    for name in RECORD_FILES:
        build, table = builders[name]
        reader, raws = _records(path / name, problems)
        if raws is None:
            case.unreadable.add(name)
            continue
        for i, raw in enumerate(raws):
            if is_draft(raw):  # checked, as warnings, by timeline.case.drafts; built once accepted
                case.drafts.append(DraftRecord(name.removesuffix(".yaml"), reader.path, raw, i))
                continue
            record = build(reader, raw, i, raws.line_of(i))
            if record is not None:
                add(table, record, reader)
            elif isinstance(raw, dict) and isinstance(raw.get("id"), str):
                case.failed_ids.add(raw["id"])
    return case, problems


def is_draft(raw: Any) -> bool:
    """Whether a record is marked ``status: draft`` (a proposal, not yet reviewed)."""
    return isinstance(raw, dict) and raw.get("status") == "draft"


#: kind ("entities", "events", "claims") -> the function that reads one record of it.
BUILDERS: dict[str, Callable[..., Any]] = {"entities": _entity, "events": _event, "claims": _claim}


def build_draft(record: DraftRecord, problems: list[Problem]) -> Entity | Event | Claim | None:
    """The record a draft would be once accepted (its review fields left out); its problems go to ``problems``."""
    raw = record.raw
    bare = yamlio.LineDict({k: v for k, v in raw.items() if k not in DRAFT_ONLY})
    bare.line, bare.key_lines = raw.line, {k: v for k, v in raw.key_lines.items() if k not in DRAFT_ONLY}
    return BUILDERS[record.kind](_Reader(record.path, problems), bare, record.index, raw.line)


def read_draft_file(path: Path, problems: list[Problem]) -> list[DraftRecord]:
    """The records of a draft file (``{entities: [...], events: [...], claims: [...]}``, YAML or JSON)."""
    reader = _Reader(path, problems)
    text = _read_text(reader)
    data = _load_yaml(reader, text) if text is not None else None
    if data is None:
        return []
    if not isinstance(data, yamlio.LineDict):
        reader.error(getattr(data, "line", 1),
                     f"a draft is a mapping of entities, events and claims, not {_kind(data)}")
        return []
    records = []
    for kind, items in data.items():
        if kind not in BUILDERS or not isinstance(items, yamlio.LineList):
            reader.error(data.line_of(kind), f"a draft has lists of entities, events and claims, not {kind!r}")
            continue
        for i, raw in enumerate(items):
            if isinstance(raw, yamlio.LineDict):
                records.append(DraftRecord(kind, path, raw, i))
            else:  # a note left in the list would be lost when the draft is accepted: say so
                reader.error(items.line_of(i), f"{kind} #{i + 1} is {_kind(raw)}, not a record (a mapping with an "
                                               "id); make it a record or a # comment")
    return records


def span_or_none(value: Any) -> DateSpan | None:
    return value if isinstance(value, DateSpan) else None
