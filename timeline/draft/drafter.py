"""An article drafted into records for a person to review: proposed entities, events and claims in
the case's own record format, each marked ``status: draft`` with the evidence for every guess.

Rules and gazetteers (the case's own names, cue words, trigger words), and, when given one, the names a
trained spaCy pipeline the user has installed finds (:mod:`timeline.draft.model`); nothing is downloaded.
Every quote is a sentence cut from the article, so it is verbatim.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.case.drafts import DRAFTS_DIR, draft_records
from timeline.case.model import AGENT_TYPES, Case, Source
from timeline.draft.claims import FoundClaim, find_claims
from timeline.draft.crossdate import Anchor, carry_dates, refine_dates
from timeline.draft.events import FoundEvent, find_events
from timeline.draft.mentions import Mention, Proposal, find_mentions
from timeline.draft.sentences import Sentence, split_sentences
from timeline.draft.temporal import TimeExpression, find_dates
from timeline.errors import TimelineError, close_matches, did_you_mean_text

if TYPE_CHECKING:
    from spacy.language import Language

FORMATS = ("yaml", "json")
_SUBORDINATE = re.compile(r"\b(?:after|before|because|until|while)\b", re.IGNORECASE)
_LABEL_LENGTH = 80


def draft_article(case: Case, source_id: str, *, model: Language | None = None) -> dict[str, list[dict[str, Any]]]:
    """Draft records for the article ``source_id`` of ``case``: ``{"entities", "events", "claims"}``.

    Ids are unique and none is an id of the case's records. ``model``: a spaCy pipeline
    (:func:`timeline.draft.model.load_model`) whose names are proposed as new entities instead of those
    found by rule. Raises :class:`TimelineError` (``param="source"``) for an article the case does not have.
    """
    source = _source(case, source_id)
    text = source.text
    taken = {*case.entities, *case.events, *case.claims, *case.sources, *_other_drafts(case, source_id)}
    mentions, proposals, sentences, dates, types, found_events = _read(case, source, taken, model)
    how = _how_linked(mentions)
    events = [_event(e, source, dates, how, taken) for e in found_events]
    _date_by_other_reports(case, source, (events, found_events), types, model)
    # A claim made in a sentence that also reports an event is, first of all, about that event.
    event_of = {e.sentence.start: record["id"] for e, record in zip(found_events, events, strict=True)}
    publisher = case.entities.get(source.publisher or "")
    speaker = Mention(0, 0, publisher.label, publisher.id) if publisher else None
    found_claims = find_claims(sentences, mentions, types, text=text, publisher=speaker,
                               events=frozenset(event_of))
    claims = [_claim(c, source, dates, how, taken, event_of) for c in found_claims]
    _speakers_take_part(found_claims, events, event_of)
    return {"entities": [_entity(p) for p in proposals], "events": events, "claims": claims}


def _speakers_take_part(found: list[FoundClaim], events: list[dict[str, Any]], event_of: dict[int, str]) -> None:
    """The speaker of a quotation took part in the event its sentence reports ("'We demand ...', the
    coalition said"): a participant in the role of speaker, unless the event names them already."""
    by_id = {e["id"]: e for e in events}
    for claim in found:
        event = by_id.get(event_of.get(claim.sentence.start, ""))
        if event is None or not claim.verb or claim.claimant.entity in {p["entity"] for p in event["participants"]}:
            continue  # no event here, the article's own assertion (no verb), or named already
        event["participants"].append({"entity": claim.claimant.entity, "role": "speaker"})
        why = f"{claim.claimant.text!r} says it: {claim.how}"
        event["evidence"]["participants"] = "; ".join(x for x in (event["evidence"].get("participants"), why) if x)


def _other_drafts(case: Case, source_id: str) -> set[str]:
    """The ids of the case's other drafts (records marked ``status: draft``, draft files of other articles):
    a new draft must not take one, or accepting both would collide."""
    own = Path(case.path) / DRAFTS_DIR / source_id  # this article's draft file, which the new draft replaces
    return {str(r.raw.get("id")) for r in draft_records(case)[0] if r.path.with_suffix("") != own}


def _read(case: Case, source: Source, taken: set[str], model: Language | None) -> tuple:
    """An article's mentions, proposals, sentences, dates, entity types and event sentences."""
    entities = [(e.id, e.label, e.aliases) for e in case.entities.values()]
    mentions, proposals = find_mentions(source.text, entities, taken, model=model)
    sentences = split_sentences(source.text)
    if sentences and sentences[0].text.strip().rstrip(".") == source.title.strip().rstrip("."):
        sentences = sentences[1:]  # the headline kept at the top of the text: the story, told again
    dates = find_dates(source.text, source.published) if source.published else []
    types = {e.id: e.type for e in case.entities.values()} | {p.id: p.type for p in proposals}
    dated = [(d.start, d.end) for d in dates]
    return mentions, proposals, sentences, dates, types, find_events(sentences, mentions, types, dated)


def _date_by_other_reports(case: Case, source: Source, drafts: tuple[list[dict[str, Any]], list[FoundEvent]],
                           types: dict[str, str], model: Language | None) -> None:
    """Refine the dates of this article's event drafts (with the sentences they were found in) from the
    sentence before, when it dates an event of the same agents in the same paragraph, and from the other
    reports of each event in the case's articles; those are refined among themselves first, so a loose
    report ("over the summer") lends the date another gives it ("In June 2018")."""
    events, found_here = drafts
    drafted = {source.id: (source, events)}
    sentences = {source.id: [e.sentence for e in found_here]}
    case_ids = {*case.entities, *case.events, *case.claims, *case.sources}
    for other in case.sources.values():
        if other.id != source.id and other.published:
            taken = set(case_ids)  # each article's drafts, thrown away after, take ids of their own
            _, _, _, dates, their_types, found = _read(case, other, taken, model)
            types = {**their_types, **types}
            drafted[other.id] = (other, [_event(e, other, dates, {}, taken) for e in found])
            sentences[other.id] = [e.sentence for e in found]
    agents_of = _agents_of(case, types)
    for sid, (art, records) in drafted.items():
        carry_dates(records, sentences[sid], art.text, {i: _agents(r, types) for i, r in enumerate(records)},
                    agents_of)
    origins: dict[tuple[str, int], tuple[str, str]] = {}  # (article, record index) -> where its date was read
    for sid in [*(k for k in drafted if k != source.id), source.id]:
        pool = [Anchor(s.id, r["citations"][0]["quote"], set(_types_of(r)), _agents(r, types), r["date"],
                       r["date_basis"], origins.get((s.id, i))) for s, records in drafted.values()
                for i, r in enumerate(records)]
        art, records = drafted[sid]
        origins |= {(sid, i): said for i, said in refine_dates(records, pool, art, agents_of).items()}


def _agents_of(case: Case, types: dict[str, str]) -> dict[str, set[str]]:
    """Each agent's id -> it and the organisations it belongs to (``parent``, ``member_of``) in the case."""
    out: dict[str, set[str]] = {}
    for eid, kind in types.items():
        if kind not in AGENT_TYPES:
            continue
        seen, todo = {eid}, [eid]
        while todo:
            e = case.entities.get(todo.pop())
            for up in ([e.parent] if e and e.parent else []) + (e.member_of if e else []):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        out[eid] = seen
    return out


def _types_of(record: dict[str, Any]) -> list[str]:
    return [record["type"]] if isinstance(record["type"], str) else list(record["type"])


def _agents(record: dict[str, Any], types: dict[str, str]) -> set[str]:
    return {p["entity"] for p in record["participants"] if types.get(p["entity"]) in AGENT_TYPES}


def render(draft: dict[str, Any], fmt: str = "yaml", source_id: str = "") -> str:
    """The draft as YAML (with a header saying what it is) or JSON."""
    if fmt == "json":
        return json.dumps(draft, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise TimelineError(f"format must be yaml or json, not {fmt!r}", param="fmt")
    import yaml  # here: heavy, and only this needs it

    header = (f"# Draft records for the article {source_id}: proposals to review, not part of the case.\n"
              "# Each record has status: draft and, under evidence, why each field was guessed.\n")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's writer: a long article's draft in a blink
    return header + yaml.dump(draft, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)


def _source(case: Case, source_id: str) -> Source:
    if source_id in case.sources:
        return case.sources[source_id]
    known = sorted(case.sources)
    hint = did_you_mean_text(close_matches(source_id, known)) or (
        f" (its articles: {', '.join(known)})" if known else " (it has no articles yet; `timeline add FILE`)")
    raise TimelineError(f"no article {source_id!r} in case {case.id!r}{hint}", param="source", value=source_id)


def _how_linked(mentions: list[Mention]) -> dict[str, str]:
    """Mention text -> how it was linked, for the evidence notes."""
    how: dict[str, str] = {}
    for m in mentions:
        how.setdefault(m.text, f"{m.text!r} is a proposed new entity ({m.entity})" if m.proposed
                       else f"{m.text!r} linked to {m.entity} by {m.linked_by}")
    return how


def _entity(p: Proposal) -> dict[str, Any]:
    record: dict[str, Any] = {"id": p.id, "type": p.type, "label": p.label}
    if p.aliases:
        record["aliases"] = list(p.aliases)
    record["status"] = "draft"
    record["evidence"] = dict(p.evidence)
    return record


def _event(found: FoundEvent, source: Source, dates: list[TimeExpression], how: dict[str, str],
           taken: set[str]) -> dict[str, Any]:
    s = found.sentence
    evidence = {"type": "trigger " + ", ".join(repr(t) for t in found.triggers)}
    record: dict[str, Any] = {"id": _new_id(found.types[0], s, taken), "type": found.types[0]
                              if len(found.types) == 1 else list(found.types),
                              "label": _label(s.text), "description": s.text}
    record.update(_date(s, dates, source, evidence, anchor=s.start + s.text.lower().find(found.triggers[0].lower()),
                        reported_from=found.reported_from))
    record["participants"] = [{"entity": eid, "role": role} for eid, role, _ in found.participants]
    if found.participants:
        evidence["participants"] = "; ".join(why for _, _, why in found.participants)
    evidence["links"] = _links(s, how)
    record["citations"] = [{"source": source.id, "quote": s.text}]
    record["status"] = "draft"
    record["evidence"] = evidence
    return record


def _claim(found: FoundClaim, source: Source, dates: list[TimeExpression], how: dict[str, str],
           taken: set[str], event_of: dict[int, str]) -> dict[str, Any]:
    s = found.sentence
    evidence = {"claimant": f"{found.how}; {how.get(found.claimant.text, '')}".rstrip("; "),
                "stance": f"from {found.verb!r}" if found.stance != "asserts" or found.verb in ("said", "says")
                else f"{found.verb!r} reports an assertion (a guess)" if found.verb else "an assertion (a guess)",
                "text": "the sentence as written; restate the claim in one sentence"}
    about = list(found.about)
    if s.start in event_of:
        about.insert(0, event_of[s.start])
        evidence["about"] = "the event drafted from the same sentence, then the names it mentions"
    elif not about:
        about = [found.claimant.entity]
        evidence["about"] = "no other name in the sentence: the claimant, until you say what the claim is about"
    record: dict[str, Any] = {"id": _new_id(f"{found.claimant.entity}-claim", s, taken),
                              "claimant": found.claimant.entity, "about": about,
                              "stance": found.stance, "text": s.text}
    inside = [d for d in dates if s.start <= d.start and d.end <= s.end]
    if inside:
        record.update(_date(s, inside, source, evidence, anchor=found.claimant.start))
    evidence["links"] = _links(s, how)
    record["citations"] = [{"source": source.id, "quote": s.text}]
    record["status"] = "draft"
    record["evidence"] = evidence
    return record


def _links(s: Sentence, how: dict[str, str]) -> str:
    return "; ".join(sorted({note for name, note in how.items() if name in s.text})) or "no name linked"


def _date(s: Sentence, dates: list[TimeExpression], source: Source, evidence: dict[str, str],
          anchor: int, reported_from: int | None = None) -> dict[str, str]:
    """The sentence's temporal expression nearest ``anchor``; else the publication date, as a guess.

    An expression in a clause that follows the trigger after "after", "before", "because", "until" or
    "while" dates that clause ("demanded ... after learning it was in use as early as 2017"), not the event;
    one from ``reported_from`` on dates what a report reported ("As X points out, last week ..."), not the report.
    """
    inside = [d for d in dates if s.start <= d.start and d.end <= s.end
              and not (reported_from is not None and d.start >= reported_from)
              and not (d.start > anchor and _SUBORDINATE.search(s.text[anchor - s.start:d.start - s.start]))]
    if inside:
        d = min(inside, key=lambda d: abs(d.start - anchor))
        others = ", ".join(repr(o.text) for o in inside if o is not d)
        evidence["date"] = f"{d.text!r} in the sentence" + (f" (also: {others})" if others else "")
        return {"date": d.edtf, "date_basis": d.basis, "date_note": d.note}
    published = source.published.edtf if source.published else ""
    skipped = [d.text for d in dates if s.start <= d.start and d.end <= s.end]
    what = ("what was reported, not the report" if reported_from is not None
            else "a clause after the event, not the event")
    evidence["date"] = (f"{', '.join(map(repr, skipped))} dates {what}: " if skipped
                        else "no date in the sentence: ") + "the publication date, a guess"
    return {"date": published, "date_basis": "inferred",
            "date_note": (f"{', '.join(skipped)}: of {what.split(',')[0]}" if skipped else "No date in the sentence")
            + f"; the article's publication date ({published}) is a guess."}


def _label(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().strip("“”\"")
    if len(text) <= _LABEL_LENGTH:
        return text.rstrip(".")
    return text[:_LABEL_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _new_id(prefix: str, s: Sentence, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", s.text.lower()) if len(w) > 3][:3]
    base = "-".join(["draft", prefix, *words])[:60].strip("-")
    rid, n = base, 2
    while rid in taken:
        rid, n = f"{base}-{n}", n + 1
    taken.add(rid)
    return rid
