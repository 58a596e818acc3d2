"""Draft records checked as the case's own, but reported as warnings until they are accepted.

Drafts are the records of ``CASE/drafts/*.yaml`` (and ``.json``), as ``timeline draft`` writes them, and
records of the case's files marked ``status: draft``. Neither is built into the graph. Each is checked as
if it were accepted (its fields, references, vocabularies and quote), and every problem that only the
draft brings is a warning on the draft's line. A draft that quotes the passage an accepted record cites
but gives it another date contradicts that record: that is a warning too, naming both.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from timeline.case import yamlio
from timeline.case.checks import check_case
from timeline.case.loader import build_draft, read_draft_file
from timeline.case.model import Case, Claim, DraftRecord, Entity, Event
from timeline.case.quotes import same_passage
from timeline.case.vocabularies import Vocabularies
from timeline.errors import Problem, display_path

DRAFTS_DIR = "drafts"
_KIND = {"entities": "entity", "events": "event", "claims": "claim"}
#: Warnings that advise on a curated case and say nothing about a draft (one article's draft has one source).
_ADVICE = frozenset({"single-source", "unreferenced-entity"})


def draft_records(case: Case) -> tuple[list[DraftRecord], list[Problem]]:
    """The case's drafts: its records marked ``status: draft``, then those of its draft files."""
    problems: list[Problem] = []
    records = list(case.drafts)
    folder = Path(case.path) / DRAFTS_DIR
    if folder.is_dir():
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.json")]):
            records += read_draft_file(path, problems)
    return records, problems


def check_drafts(case: Case, vocab: Vocabularies, known: list[Problem], today: date | None = None) -> list[Problem]:
    """Warnings for the case's drafts; ``known``: the problems the case has without them."""
    records, problems = draft_records(case)
    if not records:
        return _as_warnings(problems)
    combined = copy.copy(case)
    combined.entities, combined.events, combined.claims = dict(case.entities), dict(case.events), dict(case.claims)
    built: list[tuple[DraftRecord, Entity | Event | Claim]] = []
    seen_ids: dict[str, tuple[Path, int]] = {}
    for record in records:
        made = build_draft(record, problems)
        if made is None:
            continue
        table = getattr(combined, record.kind)
        accepted = case.record(made.id)
        if accepted is not None or made.id in seen_ids:
            where, whose = ((accepted.path, accepted.line), "a record already in the case") if accepted is not None \
                else (seen_ids[made.id], "another draft")
            problems.append(Problem(display_path(record.path), made.line,
                                    f"{_KIND[record.kind]} {made.id!r} has the id of {whose} "
                                    f"({display_path(where[0])}:{where[1]}); give one of them another id before "
                                    "accepting it"))
            continue
        seen_ids[made.id] = (made.path, made.line)
        table[made.id] = made
        built.append((record, made))
    seen = set(known)
    mine = _draft_lines(records)
    # only the drafts are checked (against the case with them in): the case itself was checked already
    problems += [p for p in check_case(combined, vocab, today, only={made.id for _, made in built})
                 if p not in seen and p.kind not in _ADVICE and (p.path, p.line) in mine]
    warnings = _as_warnings(problems)
    warnings += _contradictions(case, [made for _, made in built if not isinstance(made, Entity)])
    return warnings


def _draft_lines(records: list[DraftRecord]) -> set[tuple[str, int]]:
    """(file, line) of every line a draft record spans: the problems found there are the drafts'; an accepted
    record's problem, worded otherwise once the drafts are in, is not reported again."""
    lines: set[tuple[str, int]] = set()
    for record in records:
        shown = display_path(record.path)
        numbers = _lines_of(record.raw)
        lines |= {(shown, n) for n in range(min(numbers), max(numbers) + 1)}
    return lines


def _lines_of(value: Any) -> set[int]:
    found: set[int] = set()
    if isinstance(value, yamlio.LineDict):
        found |= {value.line, *value.key_lines.values()}
        for item in value.values():
            found |= _lines_of(item)
    elif isinstance(value, yamlio.LineList):
        found |= {value.line, *value.item_lines}
        for item in value:
            found |= _lines_of(item)
    return {n for n in found if n}


def _as_warnings(problems: list[Problem]) -> list[Problem]:
    return [Problem(p.path, p.line, p.message if p.message.startswith("draft") else f"draft: {p.message}",
                    "warning", kind="draft", subject=p.subject) for p in problems]


def _contradictions(case: Case, drafts: list[Event | Claim]) -> list[Problem]:
    """A draft quoting what an accepted record of its kind quotes, from the same article, with another date."""
    found = []
    for draft in drafts:
        if draft.date is None or draft.date_basis == "inferred":  # a guess contradicts nothing
            continue
        accepted_records = case.events if isinstance(draft, Event) else case.claims
        for accepted in accepted_records.values():
            if accepted.date is None or accepted.date.edtf == draft.date.edtf:
                continue
            if _same_passage(draft, accepted):
                kind = "event" if isinstance(draft, Event) else "claim"
                found.append(Problem(
                    display_path(draft.path), draft.line,
                    f"draft {kind} {draft.id!r} quotes the passage {kind} {accepted.id!r} cites "
                    f"({display_path(accepted.path)}:{accepted.line}) but dates it {draft.date.edtf}, not "
                    f"{accepted.date.edtf}; correct the one that is wrong, or the draft's quote",
                    "warning", kind="draft-contradiction", subject=draft.id))
                break
    return found


def _same_passage(a: Event | Claim, b: Event | Claim) -> bool:
    return any(x.source == y.source and same_passage(x.quote, y.quote) for x in a.citations for y in b.citations)
