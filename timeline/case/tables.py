"""Case records in CSV: reading ``entities.csv`` and ``events.csv`` beside a case's YAML, and writing them.

CSV case layout
---------------
A case directory may hold ``entities.csv`` and ``events.csv`` beside (or
instead of) ``entities.yaml`` and ``events.yaml``; ``case.yaml`` and
``articles/`` are as usual, and claims stay in ``claims.yaml``.
:func:`load_case_with_csv` reads such a directory: YAML files that are missing
are taken as empty when a CSV file is present, and every record goes through
the same checks as a YAML record (:func:`timeline.case.checks.check_case`).
Problems name the CSV file and the line a record starts on. Wherever a column
names an entity (``member_of``, ``parent``, ``place``, the entities of
``actors``, ...), its id, label or alias will do, as in YAML records.

``entities.csv`` columns (a header row names them, in any order):

=============  ========  ==================================================
column         required  value
=============  ========  ==================================================
id             yes       lower-case letters, digits and ``-``
type           yes       ``company``, ``person``, ``place``, ... (model.ENTITY_TYPES)
label          yes       the name shown
aliases                  other names, separated by ``;``
description
wikidata                 a Wikidata item id such as ``Q3884``
member_of                organisations or groups, separated by ``;``
parent                   the parent organisation
made_by                  the maker of a product
located_in               a place
position                 a person's job title
note
=============  ========  ==================================================

``events.csv`` columns: one citation per row; further rows with the same id
add citations (their other cells are left empty, or repeat the first row's):

=============  ========  ==================================================
column         required  value
=============  ========  ==================================================
id             yes
type           yes       event types from ontology/event-types.ttl, ``;``-separated
label          yes
description    yes       one sentence
edtf           yes*      the date in EDTF: ``2018-06``, ``2018-06-12~``, ``2020-06-10/2021-06``
start, end     yes*      instead of ``edtf``: ``start`` alone is a date, both an interval
date_basis     yes       ``stated``, ``resolved``, ``inferred`` or ``external``
date_note                how the date was found (needed unless the basis is ``stated``)
place                    a place entity
actors         yes       ``entity:role; entity:role`` (roles from ontology/roles.ttl)
produced                 documents, ``;``-separated
responds_to              ids of earlier events, ``;``-separated
sub_event_of             ids of larger events, ``;``-separated
note
source         yes       id of the source article of this row's citation
quote          yes       the exact passage of that article (kept verbatim)
=============  ========  ==================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from timeline.case.checks import check_case
from timeline.case.dates import EdtfError, parse_edtf
from timeline.case.loader import ENTITY_FIELDS, EVENT_FIELDS, ID_RE, RECORD_FILES, check_value, decode_text, load_case
from timeline.case.model import DATE_BASES, Case, Citation, Entity, Event, Participant, Progress
from timeline.case.vocabularies import load_vocabularies
from timeline.errors import CaseInvalid, Problem, did_you_mean, display_path
from timeline.files import write_atomic

ENTITIES_CSV = "entities.csv"
EVENTS_CSV = "events.csv"

ENTITY_COLUMNS = ("id", "type", "label", "aliases", "description", "wikidata", "member_of", "parent", "made_by",
                  "located_in", "position", "note")
EVENT_COLUMNS = ("id", "type", "label", "description", "edtf", "start", "end", "date_basis", "date_note", "place",
                 "actors", "produced", "responds_to", "sub_event_of", "note", "source", "quote")
#: Columns written by :func:`write_events_csv` (``start``/``end`` are an alternative input to ``edtf``).
EVENT_CSV_COLUMNS = tuple(c for c in EVENT_COLUMNS if c not in ("start", "end"))
_ENTITY_REQUIRED = ("id", "type", "label")
_EVENT_REQUIRED = ("id", "type", "label", "description", "actors", "source", "quote")
_CITATION_COLUMNS = ("source", "quote")
_LIST_KINDS = ("ids", "strs", "refs")
_PROGRESS_EVERY = 500


# ------------------------------------------------------------------ progress


class _Progress:
    """Counts CSV lines read across files and reports (done, total) now and then."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback = callback
        self.total = total
        self.done = 0
        self._last = 0

    def advance(self, lines: int) -> None:
        self.done = min(self.total, self.done + lines)
        if self.callback and (self.done - self._last >= _PROGRESS_EVERY or self.done == self.total):
            self._last = self.done
            self.callback(self.done, self.total)

    def finish(self) -> None:
        if self.callback and self._last != self.total:
            self.done = self._last = self.total
            self.callback(self.total, self.total)


def _data_lines(data: bytes) -> int:
    """Lines after the header (an upper bound on records; quoted cells may span lines).

    CR, LF and CRLF each end a line, as they do for the CSV reader.
    """
    ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    lines = ends + (0 if data.endswith((b"\n", b"\r")) or not data else 1)
    return max(0, lines - 1)


# ------------------------------------------------------------------ reading CSV


class _Sheet:
    """One CSV file, read once: its text, its rows with the line each starts on, and the problems found."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.shown = display_path(self.path)
        self.problems: list[Problem] = []
        self.text: str | None = None
        self.lines = 0  # data lines, for the progress total

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message, "warning"))

    def read(self) -> str | None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            self.error(0, f"cannot read: {exc.strerror or exc}")
            return None
        self.lines = _data_lines(data)
        self.text = decode_text(data, self.error)
        return self.text

    def rows(self, known: tuple[str, ...], required: tuple[str, ...],
             progress: _Progress) -> Iterable[tuple[int, dict[str, str]]]:
        """(line, {column: cell}) for each data row (after :meth:`read`); nothing if the header is unusable."""
        if self.text is None:
            return
        reader = csv.reader(io.StringIO(self.text, newline=""))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            self.error(1, f"not valid CSV: {exc}")
            return
        if not header or not any(h.strip() for h in header):
            self.error(1, "expected a header row naming the columns (" + ", ".join(required) + ", ...)")
            return
        columns = [h.strip().lower() for h in header]
        for name in columns:
            if name and name not in known:
                self.error(1, f"unknown column {name!r}{did_you_mean(name, known)}; the columns are "
                              + ", ".join(known))
        seen: set[str] = set()
        for name in columns:
            if name in seen and name:
                self.error(1, f"column {name!r} appears twice")
            seen.add(name)
        missing = [c for c in required if c not in columns]
        if missing:
            self.error(1, "missing required column(s): " + ", ".join(missing))
            return
        unknown = [name for name in columns if name not in known]  # reported above; their cells are left out
        quotes = [i for i, name in enumerate(columns) if name == "quote"][::-1]  # as written: it must match the text
        previous = reader.line_num
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.error(line, f"not valid CSV: {exc}")
                break
            progress.advance(reader.line_num - previous)
            previous = reader.line_num
            if not "".join(cells).strip():
                continue  # a blank line
            if len(cells) > len(columns):
                self.error(line, f"row has {len(cells)} cells but the header names {len(columns)} columns")
                continue
            # A short row leaves its last columns out; a column named twice (reported) keeps its last cell.
            row = dict(zip(columns, map(str.strip, cells), strict=False))
            for name in unknown:
                row.pop(name, None)
            for i in quotes:
                if i < len(cells):
                    row["quote"] = cells[i]
                    break
            yield line, row


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _field(sheet: _Sheet, line: int, what: str, column: str, kind: str, cell: str) -> tuple[Any, bool]:
    """(value, ok) for one cell checked like the YAML field of the same name."""
    raw: Any = _split(cell) if kind in _LIST_KINDS else cell
    if kind in _LIST_KINDS and not raw:
        return None, True
    value, message = check_value(kind, raw)
    if message:
        sheet.error(line, f"{what}: column {column!r} {message}")
        return None, False
    return value, True


def _fields(sheet: _Sheet, line: int, what: str, row: dict[str, str],
            fields: dict[str, tuple[str, bool]]) -> tuple[dict[str, Any], bool]:
    """The checked values of a row's cells for ``fields`` (column: (kind, required)), and whether all passed."""
    values: dict[str, Any] = {}
    ok = True
    for column, (kind, required) in fields.items():
        cell = row.get(column, "")
        if not cell:
            if required:
                sheet.error(line, f"{what}: missing required column {column!r}")
                ok = False
            continue
        value, good = _field(sheet, line, what, column, kind, cell)
        ok = ok and good
        if value is not None:
            values[column] = value
    return values, ok


def _describe(kind: str, row: dict[str, str], line: int) -> str:
    ident = row.get("id", "")
    return f"{kind} {ident!r}" if ident else f"{kind} on line {line}"


# ------------------------------------------------------------------ entities


def _read_entities(sheet: _Sheet, tracker: _Progress) -> tuple[list[Entity], set[str]]:
    """The entities of an ``entities.csv`` file and the ids of rows that failed (problems go to the sheet)."""
    failed: set[str] = set()
    entities: list[Entity] = []
    first: dict[str, int] = {}
    for line, row in sheet.rows(ENTITY_COLUMNS, _ENTITY_REQUIRED, tracker):
        what = _describe("entity", row, line)
        values, ok = _fields(sheet, line, what, row, ENTITY_FIELDS)
        if not ok:
            if row.get("id"):
                failed.add(row["id"])  # references to it are not reported again
            continue
        if values["id"] in first:
            sheet.error(line, f"duplicate id {values['id']!r} (first defined at {sheet.shown}:{first[values['id']]})")
            continue
        first[values["id"]] = line
        entities.append(Entity(
            id=values["id"], type=values["type"], label=values["label"], path=sheet.path, line=line,
            aliases=values.get("aliases", []), description=values.get("description"),
            wikidata=values.get("wikidata"), member_of=values.get("member_of", []), parent=values.get("parent"),
            made_by=values.get("made_by"), located_in=values.get("located_in"), position=values.get("position"),
            note=values.get("note"), field_lines={c: line for c in row if row[c]},
        ))
    return entities, failed


# ------------------------------------------------------------------ events


def _event_date(sheet: _Sheet, line: int, what: str, row: dict[str, str]) -> tuple[Any, bool]:
    edtf, start, end = row.get("edtf", ""), row.get("start", ""), row.get("end", "")
    if edtf and (start or end):
        sheet.error(line, f"{what}: give the date either in column 'edtf' or in 'start'/'end', not both")
        return None, False
    if not edtf and not start:
        if end:
            sheet.error(line, f"{what}: column 'end' needs a 'start' (for an open start write edtf '../{end}')")
        else:
            sheet.error(line, f"{what}: missing required column 'edtf' (or 'start' and 'end')")
        return None, False
    column = "edtf" if edtf else ("start/end" if end else "start")
    text = edtf or (f"{start}/{end}" if end else start)
    try:
        return parse_edtf(text), True
    except EdtfError as exc:
        sheet.error(line, f"{what}: column {column!r} is not a valid date: {exc}")
        return None, False


def _actors(sheet: _Sheet, line: int, what: str, cell: str) -> tuple[list[Participant], bool]:
    participants, ok = [], True
    for item in _split(cell):
        # The role is an id; the entity may be a label or an alias, which may hold a ':' of its own.
        entity, sep, role = (part.strip() for part in item.rpartition(":"))
        if not sep or check_value("ref", entity)[1] or not ID_RE.match(role):
            sheet.error(line, f"{what}: column 'actors': {item!r} is not ENTITY:ROLE (an entity's id, label or "
                              "alias and a role, such as 'amazon:vendor' or 'Amazon Web Services:vendor', "
                              "separated by ';')")
            ok = False
            continue
        participants.append(Participant(entity, role, line))
    if ok and not participants:
        sheet.error(line, f"{what}: column 'actors' names no participant")
        ok = False
    return participants, ok


# The date, participants and citations have columns of their own (edtf/start/end, actors, source/quote).
_FIRST_ROW_FIELDS = {k: v for k, v in EVENT_FIELDS.items() if k not in ("date", "participants", "citations")}


def _first_row(sheet: _Sheet, line: int, row: dict[str, str]) -> Event | None:
    """The event described by the first row of its id (without citations)."""
    what = _describe("event", row, line)
    values, ok = _fields(sheet, line, what, row, _FIRST_ROW_FIELDS)
    span, good = _event_date(sheet, line, what, row)
    ok = ok and good
    participants, good = _actors(sheet, line, what, row.get("actors", ""))
    ok = ok and good
    basis = values.get("date_basis")
    if basis is not None and basis not in DATE_BASES:
        sheet.error(line, f"{what}: date_basis must be stated, resolved, inferred or external, not {basis!r}"
                          f"{did_you_mean(basis, set(DATE_BASES))}")
        ok = False
    elif basis is None and span is not None:
        sheet.error(line, f"{what}: a date needs a date_basis (stated, resolved, inferred or external)")
        ok = False
    elif basis in ("resolved", "inferred", "external") and not values.get("date_note"):
        sheet.error(line, f"{what}: date_basis {basis!r} needs a date_note saying how the date was determined")
        ok = False
    if not ok:
        return None
    return Event(
        id=values["id"], path=sheet.path, line=line, types=values["type"], label=values["label"],
        description=values["description"], date=span, date_basis=basis, date_note=values.get("date_note"),
        place=values.get("place"), participants=participants, produced=values.get("produced", []),
        responds_to=values.get("responds_to", []), sub_event_of=values.get("sub_event_of", []),
        citations=[], note=values.get("note"),
        field_lines={**{c: line for c in row if row[c]}, "date": line, "participants": line},
    )


def _read_events(sheet: _Sheet, tracker: _Progress) -> tuple[list[Event], set[str]]:
    """The events of an ``events.csv`` file and the ids of events that failed (problems go to the sheet)."""
    events: dict[str, Event] = {}
    first_rows: dict[str, tuple[int, dict[str, str]]] = {}
    failed: set[str] = set()
    for line, row in sheet.rows(EVENT_COLUMNS, _EVENT_REQUIRED, tracker):
        ident = row.get("id", "")
        if not ident:
            sheet.error(line, "event row without an id")
            continue
        if ident not in first_rows:
            first_rows[ident] = (line, row)
            event = _first_row(sheet, line, row)
            if event is None:
                failed.add(ident)
                continue
            events[ident] = event
        else:
            first_line, first = first_rows[ident]
            for column, cell in row.items():
                if column in _CITATION_COLUMNS or column == "id" or not cell or cell == first.get(column, ""):
                    continue
                sheet.error(line, f"event {ident!r}: column {column!r} differs from the event's first row (line "
                                  f"{first_line}); a further row with the same id only adds a citation, so leave "
                                  "its other cells empty")
        source, quote = row.get("source", ""), row.get("quote", "")
        what = f"event {ident!r}"
        if not source and not quote:
            sheet.error(line, f"{what}: the row has no citation (columns 'source' and 'quote')")
            continue
        if not source or not quote.strip():
            missing = "source" if not source else "quote"
            sheet.error(line, f"{what}: a citation needs both 'source' and 'quote'; column {missing!r} is empty")
            continue
        if not ID_RE.match(source):
            sheet.error(line, f"{what}: column 'source' must be the id of an article, got {source!r}")
            continue
        if ident in events:
            citations = events[ident].citations
            if any(c.source == source and c.quote == quote for c in citations):
                sheet.error(line, f"{what}: the same citation is given twice")
                continue
            citations.append(Citation(source, quote, line))
    for ident in list(events):
        if not events[ident].citations:  # the first row's citation failed
            del events[ident]
            failed.add(ident)
    return list(events.values()), failed


# ------------------------------------------------------------------ into a case


def _known_ids(case: Case) -> dict[str, tuple[str, int]]:
    known = {}
    for table in (case.sources, case.entities, case.events, case.claims):
        for record in table.values():
            known[record.id] = (display_path(record.path), record.line)
    return known


def _add_records(case: Case, entities: list[Entity], events: list[Event], problems: list[Problem]) -> None:
    """Add CSV records to the case, refusing ids already taken by another record."""
    known = _known_ids(case)
    for table, records in ((case.entities, entities), (case.events, events)):
        for record in records:
            if record.id in known:
                where, line = known[record.id]
                problems.append(Problem(display_path(record.path), record.line,
                                        f"duplicate id {record.id!r} (first defined at {where}:{line})"))
                case.failed_ids.add(record.id)
                continue
            known[record.id] = (display_path(record.path), record.line)
            table[record.id] = record


def csv_kind(path: Path) -> str:
    """``"events"`` or ``"entities"``, from the header row of a CSV file (raises CaseInvalid otherwise)."""
    shown = display_path(Path(path))
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
    except OSError as exc:
        raise CaseInvalid([Problem(shown, 0, f"cannot read: {exc.strerror or exc}")]) from None
    except csv.Error as exc:
        raise CaseInvalid([Problem(shown, 1, f"not valid CSV: {exc}")]) from None
    columns = {h.strip().lower() for h in header}
    if columns & {"actors", "quote", "edtf", "start"}:
        return "events"
    if {"type", "label"} <= columns:
        return "entities"
    raise CaseInvalid([Problem(shown, 1, "cannot tell events from entities: an events file has the columns "
                               "actors, source and quote; an entities file has id, type and label")])


def _add_csv(case: Case, entities_csv: list[Path], events_csv: list[Path],
             progress: Progress | None) -> tuple[list[Event], list[Entity], list[Problem]]:
    """Read CSV files into ``case``, refusing ids already taken: (events, entities, problems).

    Every file is read once; entities come first (events refer to them), and
    one progress count runs over all the files.
    """
    entities: list[Entity] = []
    events: list[Event] = []
    sheets = [(_Sheet(p), _read_entities, entities) for p in entities_csv]
    sheets += [(_Sheet(p), _read_events, events) for p in events_csv]
    for sheet, _read, _into in sheets:
        sheet.read()
    sizes = [sheet.lines for sheet, _read, _into in sheets]
    tracker = _Progress(progress, sum(sizes))
    problems: list[Problem] = []
    for n, (sheet, read, into) in enumerate(sheets):
        found, failed = read(sheet, tracker)
        into += found
        case.failed_ids |= failed
        problems += sheet.problems
        tracker.done = sum(sizes[: n + 1])
    tracker.finish()
    _add_records(case, entities, events, problems)
    return events, entities, problems


def _missing_yaml_is_empty(case: Case, names: Iterable[str]) -> None:
    """Record files ``names`` that are missing are taken as empty: their records come from CSV."""
    for name in names:
        if not (case.path / name).exists():
            case.unreadable.discard(name)


def import_csv(events_csv: Path | None, entities_csv: Path | None, case: Case,
               progress: Progress | None = None, today: date | None = None,
               ) -> tuple[list[Event], list[Entity], list[Problem]]:
    """Read events and entities from CSV into model objects and check them against ``case``.

    ``case`` supplies the articles (quotes must be found in them) and any
    records already defined; it is not modified. The checks are those of a
    YAML case (:func:`timeline.case.checks.check_case`) run on the case with the
    CSV records added, so references, vocabularies, dates and quotes are all
    checked; a quote that is not found is reported with its closest passage.
    Citations of the returned events carry their offsets in the article.
    ``progress(done, total)`` is called as CSV lines are read.
    """
    merged = replace(case, entities=dict(case.entities), events=dict(case.events), claims=dict(case.claims),
                     sources=dict(case.sources), failed_ids=set(case.failed_ids), unreadable=set(case.unreadable))
    given = {"entities.yaml": entities_csv, "events.yaml": events_csv}
    _missing_yaml_is_empty(merged, [name for name, csv_path in given.items() if csv_path is not None])
    events, entities, problems = _add_csv(merged, [entities_csv] if entities_csv else [],
                                          [events_csv] if events_csv else [], progress)
    problems += check_case(merged, load_vocabularies(), today)
    problems.sort(key=lambda p: (not p.is_error, p.path, p.line, p.message))
    kept_events = [e for e in events if merged.events.get(e.id) is e]
    kept_entities = [e for e in entities if merged.entities.get(e.id) is e]
    return kept_events, kept_entities, problems


def load_case_with_csv(path: Path, progress: Progress | None = None,
                       extra: Iterable[Path] = ()) -> tuple[Case | None, list[Problem]]:
    """:func:`timeline.case.loader.load_case`, plus the records of ``entities.csv`` and ``events.csv``.

    ``extra`` CSV files (events or entities, told apart by their header) are
    read as if they were in the case too. Where CSV records are present, YAML
    record files that are missing are taken as empty instead of being errors.
    Cross-record checks are not run here, as with ``load_case``: run
    :func:`timeline.case.checks.check_case` on the result (``pipeline.check`` does).
    """
    path = Path(path)
    extra = [Path(p) for p in extra]
    kinds = {p: csv_kind(p) for p in extra}
    case, problems = load_case(path)
    if case is None:
        return case, problems
    entities_csv = [p for p in [path / ENTITIES_CSV] if p.is_file()] + [p for p in extra if kinds[p] == "entities"]
    events_csv = [p for p in [path / EVENTS_CSV] if p.is_file()] + [p for p in extra if kinds[p] == "events"]
    if not (entities_csv or events_csv):
        return case, problems
    missing = {display_path(path / name) for name in RECORD_FILES if not (path / name).exists()}
    problems = [p for p in problems if not (p.path in missing and p.message == "missing file")]
    _missing_yaml_is_empty(case, RECORD_FILES)
    _events, _entities, found = _add_csv(case, entities_csv, events_csv, progress)
    return case, problems + found


# ------------------------------------------------------------------ writing CSV


def _joined(values: Iterable[str], what: str) -> str:
    items = list(values)
    for item in items:
        if ";" in item:
            raise ValueError(f"{what}: {item!r} contains ';', which separates list items in CSV")
    return "; ".join(items)


def entity_rows(entities: Iterable[Entity]) -> Iterable[list[str]]:
    for e in entities:
        yield [e.id, e.type, e.label, _joined(e.aliases, f"entity {e.id} alias"), e.description or "",
               e.wikidata or "", "; ".join(e.member_of), e.parent or "", e.made_by or "", e.located_in or "",
               e.position or "", e.note or ""]


def event_rows(events: Iterable[Event]) -> Iterable[list[str]]:
    """One row per citation; the first row of an event carries its other columns."""
    for ev in events:
        if ev.date is None or not ev.citations:
            raise ValueError(f"event {ev.id}: an event needs a date and at least one citation")
        head = [ev.id, "; ".join(ev.types), ev.label, ev.description, ev.date.edtf, ev.date_basis or "",
                ev.date_note or "", ev.place or "", "; ".join(f"{p.entity}:{p.role}" for p in ev.participants),
                "; ".join(ev.produced), "; ".join(ev.responds_to), "; ".join(ev.sub_event_of), ev.note or ""]
        for i, c in enumerate(ev.citations):
            cells = head if i == 0 else [ev.id] + [""] * (len(head) - 1)
            yield [*cells, c.source, c.quote]


def write_entities_csv(entities: Iterable[Entity], path: Path) -> None:
    """Write entities as an ``entities.csv`` file (atomically; an existing file keeps its permissions)."""
    write_atomic(Path(path), _csv_bytes(ENTITY_COLUMNS, entity_rows(entities)), keep_mode=True)


def write_events_csv(events: Iterable[Event], path: Path) -> None:
    """Write events as an ``events.csv`` file, one row per citation (atomically; an existing file keeps its
    permissions)."""
    write_atomic(Path(path), _csv_bytes(EVENT_CSV_COLUMNS, event_rows(events)), keep_mode=True)


def _csv_bytes(columns: tuple[str, ...], rows: Iterable[list[str]]) -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return handle.getvalue().encode("utf-8")
