"""How good a draft is: the drafter's proposals for an article compared with the curated records
that cite it.

A curated quote counts as proposed when a draft record of the same kind (event or claim) quotes a
text that contains it or is contained in it. Of those, a date counts when the curated basis is
``stated`` or ``resolved`` and the matching draft's EDTF is the same; a claimant counts when the
draft's claimant is the curated one (by id, or, drafted against a case without that entity, by
label or alias). Precision is the share of draft events and claims whose quote overlaps some
curated quote of the article, of either kind.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from timeline.case.dates import DateSpan, EdtfError, parse_edtf
from timeline.case.model import Case
from timeline.case.quotes import overlap, same_passage

_KINDS = ("events", "claims")


@dataclass
class Score:
    """Counts for one article (or, summed, for many)."""

    curated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KINDS, 0))
    proposed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KINDS, 0))
    dated: int = 0  # matched curated records with a stated or resolved date
    dates_right: int = 0
    dates_within: int = 0  # the curated date lies within the drafted one (right, or right but coarser)
    dated_here: int = 0  # of those, the ones whose quote has a temporal expression (the article dates it)
    dates_here_right: int = 0
    claimants: int = 0  # matched curated claims
    claimants_right: int = 0
    drafts: int = 0  # draft events and claims
    supported: int = 0  # of those, the ones some curated quote overlaps
    missed: list[str] = field(default_factory=list)  # "source: quote" of curated quotes not proposed
    wrong_dates: list[str] = field(default_factory=list)
    wrong_claimants: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def __add__(self, other: Score) -> Score:
        total = Score()
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            value = {k: a[k] + b[k] for k in a} if isinstance(a, dict) else a + b
            setattr(total, f.name, value)
        return total

    @property
    def recall(self) -> float:
        return _share(sum(self.proposed.values()), sum(self.curated.values()))

    @property
    def dates(self) -> float:
        return _share(self.dates_right, self.dated)

    @property
    def dates_consistent(self) -> float:
        return _share(self.dates_within, self.dated)

    @property
    def dates_here(self) -> float:
        return _share(self.dates_here_right, self.dated_here)

    @property
    def claimant_share(self) -> float:
        return _share(self.claimants_right, self.claimants)

    @property
    def precision(self) -> float:
        return _share(self.supported, self.drafts)


def without_records(case: Case, *, entities: bool = True) -> Case:
    """``case`` with its articles (and, if ``entities``, its entities) but no events or claims."""
    return dataclasses.replace(case, events={}, claims={}, entities=dict(case.entities) if entities else {})


def score_article(curated_case: Case, source_id: str, draft: dict[str, list[dict[str, Any]]]) -> Score:
    """Compare ``draft`` (as :func:`~timeline.draft.drafter.draft_article` returns it) for the article
    ``source_id`` with the records of ``curated_case`` that cite it."""
    score = Score()
    curated_quotes: list[str] = []
    names = _names(curated_case, draft)
    for kind in _KINDS:
        drafts = [(r["citations"][0]["quote"], r) for r in draft[kind]]
        for record in getattr(curated_case, kind).values():
            for c in record.citations:
                if c.source != source_id:
                    continue
                quote = c.quote
                curated_quotes.append(quote)
                score.curated[kind] += 1
                matches = [r for q, r in drafts if same_passage(q, quote)]
                if not matches:
                    score.missed.append(f"{source_id} {kind[:-1]}: {c.quote}")
                    continue
                score.proposed[kind] += 1
                best = max(matches, key=lambda r: overlap(r["citations"][0]["quote"], quote))
                _score_date(score, record, best, source_id, c.quote)
                if kind == "claims":
                    _score_claimant(score, record.claimant, best, names, source_id)
    for kind in _KINDS:
        for r in draft[kind]:
            score.drafts += 1
            quote = r["citations"][0]["quote"]
            if any(same_passage(quote, q) for q in curated_quotes):
                score.supported += 1
            else:
                score.unsupported.append(f"{source_id} {kind[:-1]}: {r['citations'][0]['quote']}")
    return score


def _score_date(score: Score, record: Any, draft: dict[str, Any], source_id: str, quote: str) -> None:
    if record.date is None or record.date_basis not in ("stated", "resolved"):
        return
    score.dated += 1
    here = bool(_TEMPORAL.search(quote))
    score.dated_here += here
    score.dates_within += _within(record.date, draft.get("date", ""))
    if draft.get("date") == record.date.edtf:
        score.dates_right += 1
        score.dates_here_right += here
    else:
        score.wrong_dates.append(f"{source_id} {record.id}: curated {record.date.edtf}, drafted "
                                 f"{draft.get('date')} ({draft.get('evidence', {}).get('date', '')})")


def _within(curated: DateSpan, drafted: str) -> bool:
    """Whether every day ``curated`` may mean lies within what ``drafted`` may mean."""
    try:
        span = parse_edtf(drafted)
    except EdtfError:
        return False
    lo, hi = span.earliest_begin, span.latest_end
    first = curated.earliest_begin or curated.latest_begin
    last = curated.latest_end or curated.earliest_end
    return (lo is None or (first is not None and lo <= first)) and (hi is None or (last is not None and last <= hi))


def _score_claimant(score: Score, claimant: str, draft: dict[str, Any], names: dict[str, set[str]],
                    source_id: str) -> None:
    score.claimants += 1
    drafted = draft["claimant"]
    if drafted == claimant or names.get(drafted, set()) & names.get(claimant, set()):
        score.claimants_right += 1
    else:
        score.wrong_claimants.append(f"{source_id}: curated {claimant}, drafted {drafted}")


def _names(case: Case, draft: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    """Entity id -> its label and aliases, folded, for the case's entities and the draft's."""
    names = {e.id: {n.casefold() for n in (e.label, *e.aliases)} for e in case.entities.values()}
    for r in draft["entities"]:
        names[r["id"]] = {n.casefold() for n in (r["label"], *r.get("aliases", ()))}
    return names


#: A temporal expression, found independently of the drafter's grammar: a year, a month or weekday name,
#: or a relative phrase. A curated date whose quote has none comes from elsewhere (another article).
_TEMPORAL = re.compile(
    r"\b(?:1[89]\d\d|20\d\d|January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|ago|"
    r"(?:last|this|next|past|recent|earlier|later)\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|summer|winter|"
    r"spring|autumn|fall)|since|summer|winter|spring|autumn)\b")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0
