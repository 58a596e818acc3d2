"""Fuzz the case loader and the EDTF parser for a bounded time (hypothesis-driven).

    python fuzz/fuzz_timeline.py --target loader --seconds 600
    python fuzz/fuzz_timeline.py --target edtf --seconds 600
    python fuzz/fuzz_timeline.py --target all --seconds 1200     # the time is split between the targets

The one property: bad input never escapes as an unexpected exception. Every failure is a
:class:`~timeline.errors.Problem` with a message (or an :class:`~timeline.case.dates.EdtfError` /
:class:`~timeline.errors.TimelineError` with one), never a traceback. A few consistency checks ride along: a case that
cannot be loaded, or a record or article that was dropped, comes with at least one error; every problem prints as one
line; a case that passes every check has built N-Quads; a date that parses has ordered bounds, a unit and a label.

Targets:

``loader``
    draws a valid case (``tests/casegen.py``), then breaks it: record-level mutations (a field deleted, set to a random
    YAML value, an unknown field, ids pointed at the wrong kind of record, a duplicated record), text-level mutations
    of the written files (hostile YAML: tags, anchors and aliases, complex keys, deep nesting, merge keys, documents
    markers, BOMs, CRLF, NUL, invalid UTF-8, truncation, byte flips, slices deleted or repeated) and file-level ones
    (a file deleted, emptied, replaced by a directory or a symlink loop, an article renamed). Runs
    ``timeline.case.loader.load_case`` and ``timeline.pipeline.check`` (SHACL included) on the result.
``edtf``
    ``timeline.case.dates.parse_edtf`` on valid EDTF of every form with random edits, on strings from EDTF's alphabet,
    and on arbitrary text; ``parse_iso_date`` and the loader's date field as well.

Failures are printed with the falsifying example and a traceback, written to ``--out`` (a directory, by default
``fuzz-findings/`` under the system temporary directory), and counted in the exit status (1 if any).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # casegen: the strategies the property tests use
sys.path.insert(0, str(ROOT))

from casegen import HOSTILE, IDS, URLS, cases, edtf_texts, texts, write_case  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from timeline import pipeline  # noqa: E402
from timeline.case.dates import UNITS, DateSpan, EdtfError, parse_edtf, parse_iso_date  # noqa: E402
from timeline.case.loader import (  # noqa: E402
    CASE_FIELDS,
    CITATION_FIELDS,
    CLAIM_FIELDS,
    ENTITY_FIELDS,
    EVENT_FIELDS,
    PARTICIPANT_FIELDS,
    SOURCE_FIELDS,
    load_case,
)
from timeline.errors import Problem, TimelineError  # noqa: E402

# Generated dates lie anywhere in 0100..9998: against the first "today" some are in the future (an error exercised),
# against the second none is, so that more cases get through to the build and SHACL.
TODAYS = (date(2030, 1, 1), date(9999, 12, 31))

# ------------------------------------------------------------------ loader

#: YAML that has tripped loaders somewhere: tags, anchors, complex keys, nesting, documents, odd scalars.
HOSTILE_YAML = (
    "!!omap [a: 1, b: 2]", "!!pairs [a: 1]", "!!set {a, b}", "!!binary aGVsbG8=", "!!timestamp 2001-12-14",
    "!!float .nan", "!!float -.inf", "!!int 0x1F", "!!python/object:os.system", "!!python/name:os.system",
    "!ruby/object {}", "!custom x", "&a [*a]", "&a {x: *a}", "*undefined", "&a x", "<<: *a", "<<: {id: x}",
    "? [1, 2]\n: x", "? {a: 1}\n: x", "? !!binary aGVsbG8=\n: x", "[" * 200 + "]" * 200, "{" * 100, "[" * 3000,
    "- " * 500 + "x", "---", "...", "--- !!set", "%YAML 1.1\n---", "%TAG ! tag:x:\n---", "\ufeff", "\r\n", "\r",
    "\x00", "\t", "\x85", "\u2028", '"\\uD800"', '"\\U0010FFFF"', '"\\x00"', "'", '"', "|", ">", "|-\n  x",
    "key: value", "id: x", "id:", "- id: dup", ": x", "?", "- ", "-", "#", "~", "null", "", "0o17", "1_000",
    "2018-06-12", "2018-06-12T10:00:00Z", "1e400", "-0", "yes", "No", "=", "<", "\\", "@", "`",
)
URL_LIKE = st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}", st.sampled_from(["http", "https", "ftp"]),
                     st.sampled_from(["a.example", "[::1]", "a.example:80", "a.example:x", "", "ä.example", "a b"]),
                     st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20),
                    st.sampled_from(HOSTILE), edtf_texts, st.binary(max_size=8), URL_LIKE,
                    st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _edit_text(text: str, edits) -> str:
    """``text`` with characters inserted, deleted or replaced at the given positions."""
    for action, at, ch in edits:
        i = at % (len(text) + 1)
        if action == "insert":
            text = text[:i] + ch + text[i:]
        elif action == "delete":
            text = text[:i] + text[i + 1:]
        else:
            text = text[:i] + ch + text[i + 1:]
    return text


def _edits(chars: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[list]:
    """Edits for :func:`_edit_text`: up to ``max_size`` characters of ``chars`` inserted, deleted or replaced."""
    return st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 40), chars),
                    max_size=max_size)


TYPOS = ("dat", "labels", "participant", "citation", "Date", "id ", "qoute", "", "1", "true")
_TEXT_VALUES = st.one_of(texts(), st.sampled_from([" ", "\n", "\t", "\u3000", "\ufeff", "x" * 5000]), st.text())
_ID_VALUES = st.one_of(IDS, st.sampled_from(["", "A", "a_b", "a b", "-a", "é", "a\n", "a/b", "a#b", "..", "a:b"]))
#: Values for a field of each kind of the loader's schema (timeline/loader.py): near misses first, then anything.
TYPED = {
    "id": _ID_VALUES, "ids": st.lists(_ID_VALUES, max_size=3), "str": _TEXT_VALUES,
    "strs": st.lists(_TEXT_VALUES, max_size=3), "list": st.lists(VALUES, max_size=3),
    "edtf": st.one_of(st.builds(_edit_text, edtf_texts, _edits(st.sampled_from("0123456789X-/.[]?~%, "), 3)),
                      st.integers(-99999, 99999)),
    "url": st.one_of(URL_LIKE, URLS), "base": st.one_of(URL_LIKE, URLS, URLS.map(lambda u: u.rstrip("/") + "/")),
    "sha256": st.one_of(st.from_regex(r"[0-9a-fA-F]{60,68}", fullmatch=True), st.text(max_size=8)),
    "wikidata": st.one_of(st.from_regex(r"Q?[0-9]{0,6}", fullmatch=True), st.integers()),
    "grade": st.one_of(st.sampled_from(list("ABCDEFGa") + ["AB", ""]), st.integers(0, 9)),
    "credibility": st.one_of(st.integers(-2, 9), st.sampled_from(["3", 3.0, True])), "bool": st.one_of(
        st.booleans(), st.sampled_from(["yes", "true", 1, 0])),
}
SCHEMAS = {"case": CASE_FIELDS, "article": SOURCE_FIELDS, "entities": ENTITY_FIELDS, "events": EVENT_FIELDS,
           "claims": CLAIM_FIELDS, "participants": PARTICIPANT_FIELDS, "citations": CITATION_FIELDS}
text_edits = st.tuples(
    st.sampled_from(["insert", "delete", "repeat", "truncate", "flip", "replace-line", "replace-value",
                     "replace-value", "replace-value", "invalid-utf8", "bom", "crlf", "utf16"]),
    st.integers(0, 2**16), st.integers(0, 2**16), st.sampled_from(HOSTILE_YAML + HOSTILE),
)
file_edits = st.tuples(st.sampled_from(["remove", "empty", "directory", "symlink-loop", "rename", "binary", "huge",
                                        "extra-article", "no-articles-dir"]),
                       st.integers(0, 10))


def _records(spec, where: str) -> list[dict]:
    if where == "case":
        return [spec.case]
    if where == "article":
        return [meta for meta, _body in spec.articles.values()]
    return {"entities": spec.entities, "events": spec.events, "claims": spec.claims}[where]


@st.composite
def record_edit(draw, spec) -> None:
    """Change one record of ``spec`` in place: a field deleted, set to a value of its kind (or any value), a
    misspelt field, a reference to another record of any kind, a duplicated record; in the record itself or in one
    of its participants or citations."""
    where = draw(st.sampled_from(["case", "article", "entities", "events", "claims"]))
    records = _records(spec, where)
    if not records:
        return
    record = draw(st.sampled_from(records))
    schema = SCHEMAS[where]
    nested = [k for k in ("participants", "citations") if isinstance(record.get(k), list) and record[k]]
    if nested and draw(st.booleans()):
        key = draw(st.sampled_from(nested))
        item = draw(st.sampled_from(record[key]))
        if isinstance(item, dict):
            record, schema = item, SCHEMAS[key]
    action = draw(st.sampled_from(["delete", "set", "set", "set", "typo", "retarget", "duplicate"]))
    field = draw(st.sampled_from(sorted(schema)))
    if action == "delete":
        record.pop(field, None)
    elif action == "set":
        kind = schema[field][0]
        record[field] = draw(TYPED[kind] if draw(st.integers(0, 4)) else VALUES)
    elif action == "typo":
        record[draw(st.sampled_from(TYPOS))] = record.pop(field, draw(VALUES))
    elif action == "retarget":  # a reference to some other record, of whatever kind
        ids = [r.get("id") for w in ("entities", "events", "claims") for r in _records(spec, w)]
        record[field] = draw(st.sampled_from([i for i in ids if isinstance(i, str)] + list(spec.articles)))
    elif action == "duplicate" and where in ("entities", "events", "claims"):
        records.append(dict(record))


def apply_text_edit(data: bytes, edit) -> bytes:
    action, a, b, snippet = edit
    n = len(data)
    i, j = (a % (n + 1), b % (n + 1)) if n else (0, 0)
    i, j = min(i, j), max(i, j)
    piece = snippet.encode("utf-8", "surrogatepass")
    if action == "insert":
        return data[:i] + piece + data[i:]
    if action == "delete":
        return data[:i] + data[j:]
    if action == "repeat":
        return data[:j] + data[i:j] + data[j:]
    if action == "truncate":
        return data[:i]
    if action == "flip" and n:
        return data[:i] + bytes([data[i % n] ^ (1 << (b % 8))]) + data[i + 1:]
    if action == "replace-line":
        lines = data.split(b"\n")
        k = a % len(lines)
        indent = lines[k][: len(lines[k]) - len(lines[k].lstrip())]
        lines[k] = indent + piece
        return b"\n".join(lines)
    if action == "replace-value":  # keep "key:" (or "- "), replace what follows
        lines = data.split(b"\n")
        k = a % len(lines)
        head, sep, _rest = lines[k].partition(b": ")
        if not sep:
            head, sep, _rest = lines[k].partition(b"- ")
        lines[k] = head + sep + piece
        return b"\n".join(lines)
    if action == "invalid-utf8":
        return data[:i] + b"\xff\xfe\xc3\x28\x80"[: 1 + b % 5] + data[i:]
    if action == "bom":
        return b"\xef\xbb\xbf" + data
    if action == "crlf":
        return data.replace(b"\n", b"\r\n")
    if action == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    return data


def apply_file_edit(case_dir: Path, edit) -> None:
    action, index = edit
    files = sorted(p for p in case_dir.rglob("*") if p.is_file())
    if not files:
        return
    target = files[index % len(files)]
    if action == "remove":
        target.unlink()
    elif action == "empty":
        target.write_bytes(b"")
    elif action == "directory":
        target.unlink()
        target.mkdir()
    elif action == "symlink-loop":
        target.unlink()
        target.symlink_to(target.name)
    elif action == "rename" and target.suffix == ".md":
        target.rename(target.with_name("renamed-" + target.name))
    elif action == "binary":
        target.write_bytes(b"\x00\x01\x02" * 100)
    elif action == "huge":
        target.write_bytes(target.read_bytes() + b"x" * 5_000_001)
    elif action == "extra-article":
        (case_dir / "articles" / "extra.md").write_bytes(target.read_bytes())
    elif action == "no-articles-dir":
        shutil.rmtree(case_dir / "articles", ignore_errors=True)


def check_problems(problems: list, where: str) -> None:
    for p in problems:
        assert isinstance(p, Problem), (where, p)
        assert isinstance(p.message, str) and p.message.strip(), (where, p)
        assert p.level in ("error", "warning"), (where, p)
        assert "\n" not in str(p) and "\r" not in str(p), f"{where}: a problem printed on several lines: {p}"


def run_case(case_dir: Path, today: date = TODAYS[0]) -> None:
    """The property, on one case directory."""
    case, problems = load_case(case_dir)
    check_problems(problems, "load_case")
    errors = [p for p in problems if p.is_error]
    if case is None:
        assert errors, "load_case gave no case and no error"
    else:
        if case.failed_ids or case.unreadable:
            assert errors, f"records or files dropped ({sorted(case.failed_ids)}, {sorted(case.unreadable)}) " \
                           "without an error"
    try:
        report = pipeline.check(case_dir, today=today)
    except TimelineError as exc:  # allowed: a user-facing error, printed as one line
        assert str(exc).strip(), "a TimelineError without a message"
        return
    check_problems(report.problems, "check")
    if report.case is None:
        assert report.errors, "check gave no case and no error"
    if report.ok:
        assert report.nquads, "a case without errors built no N-Quads"


@st.composite
def broken_cases(draw):
    spec = draw(cases(max_entities=4, max_events=3, max_claims=2, max_articles=2))
    # Mostly one change to an otherwise valid case, so that it reaches the checks and the build behind it.
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))):
        draw(record_edit(spec))
    text_changes = draw(st.lists(text_edits, min_size=draw(st.sampled_from([0, 0, 0, 1, 2])), max_size=2))
    file_changes = draw(st.lists(file_edits, min_size=draw(st.sampled_from([0] * 9 + [1])), max_size=1))
    return spec, text_changes, file_changes, draw(st.randoms()), draw(st.sampled_from(TODAYS))


def fuzz_loader(spec, text_changes, file_changes, rng, today) -> None:
    with tempfile.TemporaryDirectory(prefix="timeline-fuzz-") as tmp:
        case_dir = Path(tmp) / "case"
        try:
            write_case(spec, case_dir)
        except Exception:  # a mutated value YAML cannot write (bytes keys, ...): not the loader's business
            return
        files = sorted(p for p in case_dir.rglob("*") if p.is_file())
        for change in text_changes:
            target = files[rng.randrange(len(files))]
            target.write_bytes(apply_text_edit(target.read_bytes(), change))
        for change in file_changes:
            apply_file_edit(case_dir, change)
        run_case(case_dir, today)


# -------------------------------------------------------------------- edtf

EDTF_ALPHABET = "0123456789X-/.[]?~%, u:TZ+"

edtf_inputs = st.one_of(
    st.builds(_edit_text, edtf_texts, _edits(st.sampled_from(EDTF_ALPHABET) | st.characters(), 4)),
    st.text(alphabet=EDTF_ALPHABET, max_size=30),
    st.text(max_size=30),
    st.builds(lambda a, b: f"{a}/{b}", edtf_texts, edtf_texts),
    st.builds(lambda a, b: f"[{a}..{b}]", edtf_texts, edtf_texts),
    st.integers(-(10**6), 10**6).map(str),
)


# The supported subset of EDTF, written independently of timeline.case.dates: whatever parses must match it.
_DATE = r"[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?[?~%]?"
SUPPORTED = re.compile(rf"{_DATE}|({_DATE}|\.\.|)/({_DATE}|\.\.|)|\[({_DATE})?\.\.({_DATE})?\]")


def assert_span(span: DateSpan, text: str) -> None:
    assert SUPPORTED.fullmatch(text), f"{text!r} parsed but is not in the supported EDTF syntax"
    assert span.edtf == text
    bounds = [span.earliest_begin, span.latest_begin, span.earliest_end, span.latest_end]
    assert any(b is not None for b in bounds), text
    eb, lb, ee, le = bounds
    for lo, hi in ((eb, lb), (ee, le), (eb, le), (eb, ee), (lb, le)):
        if lo is not None and hi is not None:
            assert lo <= hi, (text, bounds)
    assert span.unit in UNITS
    assert isinstance(span.label, str) and span.label.strip() and "\n" not in span.label
    assert span.sort_date in bounds


def fuzz_edtf(text: str) -> None:
    try:
        span = parse_edtf(text)
    except EdtfError as exc:
        assert str(exc).strip()
    else:
        assert_span(span, text)
    try:
        parse_iso_date(text)
    except EdtfError as exc:
        assert str(exc).strip()
    from timeline.case.loader import _check_value

    value, message = _check_value("edtf", int(text) if re.fullmatch(r"-?[0-9]{1,30}", text) else text)
    assert (value is None) != (message is None)


# ------------------------------------------------------------------ driver


def run(target: str, seconds: float, out: Path, shrink: bool) -> tuple[int, int]:
    """Fuzz one target for ``seconds``; returns (examples run, distinct failures)."""
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    batch = {"loader": 50, "edtf": 2000}[target]
    examples, failures, seen = 0, 0, set()
    deadline = time.monotonic() + seconds

    def one(example) -> None:
        nonlocal examples
        examples += 1
        if target == "loader":
            fuzz_loader(*example)
        else:
            fuzz_edtf(example)

    test = given(broken_cases() if target == "loader" else edtf_inputs)(one)
    test = settings(max_examples=batch, deadline=None, database=None, phases=phases, derandomize=False,
                    suppress_health_check=list(HealthCheck), print_blob=True)(test)
    while time.monotonic() < deadline:
        try:
            test()
        except Exception as exc:  # one finding, or several in an ExceptionGroup
            for found in (exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]):
                if record(found, target, out, seen):
                    failures += 1
    return examples, failures


def record(exc: BaseException, target: str, out: Path, seen: set) -> bool:
    """Write a finding to ``out`` unless one like it (same exception type and place) was written; True if new."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/timeline/" in f.filename]
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "(fuzz harness)"
    key = (type(exc).__name__, where, str(exc)[:60] if isinstance(exc, AssertionError) else "")
    if key in seen:
        return False
    seen.add(key)
    text = "".join(traceback.format_exception(exc)) + "\n" + "\n".join(getattr(exc, "__notes__", []))
    name = f"{target}-{hashlib.sha1(repr(key).encode()).hexdigest()[:8]}.txt"
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(text, encoding="utf-8", errors="backslashreplace")
    print(f"FINDING {target}: {type(exc).__name__} at {where}: {str(exc)[:200]!r} -> {out / name}", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=("loader", "edtf", "all"), default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (split evenly for --target all)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-findings",
                        help="where findings are written")
    parser.add_argument("--shrink", action="store_true", help="shrink each failing example (slow for the loader)")
    args = parser.parse_args(argv)
    targets = ("loader", "edtf") if args.target == "all" else (args.target,)
    total_failures = 0
    for target in targets:
        started = time.monotonic()
        examples, failures = run(target, args.seconds / len(targets), args.out, args.shrink)
        total_failures += failures
        print(f"{target}: {examples} examples in {time.monotonic() - started:.0f} s, {failures} finding(s)",
              flush=True)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
