"""Names in an article: linked to the case's entities (id, label or alias), or proposed as new
entities with a type guessed from cue words.

Linking is case-insensitive (an all-capitals acronym only matches in capitals: "ICE" is not "ice"),
takes the longest name at each place, and accepts a possessive ("ICE's"). A proposed name keeps
the aliases the article gives it: an acronym in parentheses after it, and a person's surname
used later on its own.

With a trained spaCy pipeline (``model``), the names it finds are proposed instead of the capitalised
names the rules find, typed by its labels (an ORG's kind by cue words); linking stays by rule and wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from timeline.case.authoring import slug
from timeline.case.names import norm
from timeline.draft.model import model_label, model_names

if TYPE_CHECKING:
    from spacy.language import Language

_POSSESSIVE = r"(?:['’]s\b|(?<=s)['’](?!\w))?"
_UPPER = "A-ZÀ-ÖØ-Þ"
_CAP = rf"[{_UPPER}][\w&’'.-]*[\w]"
#: Space within a name: it may wrap onto the next line, never across a blank line (a heading and a sentence).
_SPACE = r"(?:[^\S\n]+|[^\S\n]*\n(?![^\S\n]*\n)[^\S\n]*)"
_JOIN_WORDS = ("of", "for", "and", "on", "the", "de", "&")
_JOIN = rf"(?:{_SPACE}(?:{'|'.join(_JOIN_WORDS)}){_SPACE}|{_SPACE}|-)"
_CAPITALISED = re.compile(rf"(?<![\w.])(?:{_CAP}|[{_UPPER}])(?:{_JOIN}(?:{_CAP}))*")
_ACRONYM = re.compile(r"\s*\((?:the\s+)?([A-Z][A-Z&.]{1,9})\)")
#: Capitalised words that do not name anything on their own.
_NOT_NAMES = frozenset("""
The A An It He She They We I You This That These Those But And Or In On At As After Before When While
Its His Her Their Our Some Many Last Earlier Later According If So Yet For Of To From By With Since
Mr Mrs Ms Dr Also Still Now Then There Here What Who Why How One Two Three Such Other Another Each Every
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December Today Yesterday Tomorrow Photo Image Read More Related
However Meanwhile Instead Although Though Because Despite Over Under Until Both Neither Most All No Not
""".split())
_TITLES = (r"(?:spokes(?:man|woman|person)|CEO|chief(?:\s+executive)?|executive|director|president|"
           r"vice\s+president|founder|manager|officer|head|chair(?:man|woman)?|professor|researcher|scientist|"
           r"senator|Sen\.|Rep\.|Mr\.|Ms\.|Mrs\.|Dr\.|Sheriff|Chief|lawyer|attorney|analyst|engineer|"
           r"leader|secretary|commissioner|mayor|deputy|lieutenant|sergeant|detective|representative)")
_TITLE_BEFORE = re.compile(rf"\b{_TITLES}\s*,?\s*$", re.IGNORECASE)
#: A first name, an initial perhaps, one or two surnames: "Neema Singh Guliani", "José Martínez", "Conan
#: O'Brien", "Ron DeSantis", "Alexandria Ocasio-Cortez".
_NAME_WORD = rf"[{_UPPER}](?:[a-zß-öø-ÿ]+(?:['’-]?[{_UPPER}]?[a-zß-öø-ÿ]+)*)"
_PERSON_SHAPE = re.compile(rf"^{_NAME_WORD}(?:\s+[A-Z]\.)?(?:\s+{_NAME_WORD}){{1,2}}$")
#: Titles written before a name with capitals ("Police Chief Robert Hanley"): not part of the name.
_TITLE_WORDS = re.compile(r"^(?:(?:Police|Fire|Deputy|Assistant|Acting|Former|Vice|Executive|Chief|Sheriff|Mayor|"
                          r"Senator|Sen\.|Governor|Gov\.|Representative|Rep\.|President|Director|Commissioner|"
                          r"Officer|Detective|Sergeant|Sgt\.|Lieutenant|Lt\.|Captain|Capt\.|Judge|Justice|Secretary|"
                          r"Minister|Councilwoman|Councilman|Councilmember|Council\s+Member|Professor|Prof\.|Dr\.|"
                          r"Mr\.|Ms\.|Mrs\.|Attorney|General|Spokesman|Spokeswoman|CEO|Chairman|Chairwoman)\s+)+")
#: Words after "on" that end a name ("Microsoft on Thursday"): a day, a month, a time.
_ON_TIME = re.compile(r"\s+on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
                      r"April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|"
                      r"Oct\.|Nov\.|Dec\.)\b.*$", re.DOTALL)
#: (cue, type): the first cue a name contains (whole words, case-insensitively) gives its type.
TYPE_CUES: tuple[tuple[str, str], ...] = (
    (r"police|sheriff(?:'s|’s)?|constabulary", "police-department"),
    (r"inc\.?|corp\.?|corporation|company|co\.|ltd\.?|llc|plc|technologies|labs|systems|web\s+services", "company"),
    (r"department|agency|office|ministry|bureau|administration|commission|service|customs|enforcement|investigations|"
     r"government|council|county|city of", "government-agency"),
    (r"white\s+house|kremlin|pentagon", "government-agency"),
    (r"union|foundation|coalition|alliance|fund|center for|centre for|network|society|project|rights\s+watch",
     "advocacy-group"),
    (r"video|app|software|platform|cloud", "product"),
    (r"university|institute|college|laboratory|lab|school", "research-group"),
    (r"congress|senate|parliament|house\s+of|assembly|legislature", "legislature"),
    (r"times|post|news|journal|press|tribune|herald|wire|magazine|bloomberg|reuters|guardian|gazette|chronicle|"
     r"courier|observer|inquirer|examiner|telegraph", "news-organization"),
)
_TYPE_CUES = [(re.compile(rf"\b(?:{cue})(?!\w)", re.IGNORECASE), kind) for cue, kind in TYPE_CUES]


@dataclass
class Mention:
    """A name at ``text[start:end]``: ``entity`` is the id of the case's (or a proposed) entity."""

    start: int
    end: int
    text: str
    entity: str
    proposed: bool = False
    #: What it was linked by: the entity's "label", an "alias", or its "id" read as words.
    linked_by: str = ""


@dataclass
class Proposal:
    """A name no entity of the case has: a new entity to review."""

    id: str
    label: str
    type: str
    aliases: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


def _name_pattern(name: str) -> str:
    words = [re.sub(r"['’]", "['’]", re.escape(w)) for w in name.split()]
    return r"\s+".join(words)


class Linker:
    """The case's entity names, compiled into one longest-match pattern."""

    def __init__(self, entities: Iterable[tuple[str, str, Iterable[str]]]):
        exact: dict[str, tuple[str, str]] = {}  # name -> (entity id, what the name is of it)
        loose: dict[str, tuple[str, str]] = {}
        for eid, label, aliases in entities:
            named = [(label, "label"), *((a, "alias") for a in aliases), (eid.replace("-", " "), "id")]
            for name, tier in named:
                name = name.strip()
                if len(name) < 2:
                    continue
                table = exact if name.isupper() or any(c.isdigit() for c in name) else loose
                table.setdefault(name if table is exact else norm(name), (eid, tier))
        self.exact, self.loose = exact, loose
        names = sorted([*exact, *loose], key=len, reverse=True)
        alternation = "|".join(_name_pattern(n) for n in names) or r"(?!x)x"
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-]){_POSSESSIVE}", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        found = []
        for m in self.pattern.finditer(text):
            written = re.sub(r"['’]s?$", "", m.group(0)) if m.group(0)[-1:] in "'’s" else m.group(0)
            hit = self.exact.get(written) or self.loose.get(norm(written))
            if hit is None and written.endswith("s"):
                hit = self.exact.get(written[:-1]) or self.loose.get(norm(written[:-1]))
            if hit is None:
                hit = self.exact.get(m.group(0)) or self.loose.get(norm(m.group(0)))
            lowered = written.lower() == written
            # "a target for thieves" is not Target, nor "ice" ICE: a one-word name is written with its capital
            if hit is not None and not (lowered and (written.upper() in self.exact or " " not in written)):
                found.append(Mention(m.start(), m.start() + len(written), written, hit[0], linked_by=hit[1]))
        return found


def find_mentions(text: str, entities: Iterable[tuple[str, str, Iterable[str]]], taken_ids: set[str],
                  *, model: Language | None = None) -> tuple[list[Mention], list[Proposal]]:
    """The mentions in ``text`` in order, and the new entities proposed for names the case lacks.

    ``entities``: the case's ``(id, label, aliases)``; ``taken_ids``: ids a proposal must not reuse;
    ``model``: a spaCy pipeline (:func:`timeline.draft.model.load_model`) whose names are proposed
    instead of the capitalised names found by rule.
    """
    linked = Linker(entities).find(text)
    covered = [(m.start, m.end) for m in linked]
    proposals: dict[str, Proposal] = {}
    new: list[Mention] = []
    if model is not None:
        new.extend(_model_mentions(text, model, proposals, taken_ids, covered))
        new.extend(_later_short_forms(text, proposals, covered))
        return sorted([*linked, *new], key=lambda x: x.start), list(proposals.values())
    for m_start, name in _candidates(text):
        name, start = _trim(name, m_start)
        if not name or any(start < e and s < start + len(name) for s, e in covered):
            continue
        sentence_start = _at_sentence_start(text, start)
        if " " not in name and (sentence_start or name in _NOT_NAMES or len(name) < 3):
            continue
        if " " in name and name.upper() == name:  # "SEE ALSO", "READ MORE": page headings, not names
            continue
        proposal = _propose(text, name, start, proposals, taken_ids)
        if proposal is None:
            continue
        new.append(Mention(start, start + len(name), name, proposal.id, proposed=True))
        covered.append((start, start + len(name)))
    new.extend(_later_short_forms(text, proposals, covered))
    new.extend(_proposals_again(text, proposals, covered))
    return sorted([*linked, *new], key=lambda x: x.start), list(proposals.values())


def _model_mentions(text: str, model: Language, proposals: dict[str, Proposal], taken: set[str],
                    covered: list[tuple[int, int]]) -> list[Mention]:
    """The names the model finds that no linked name covers, each a mention of a proposal."""
    found = []
    said = f"spaCy model {model_label(model)}"
    for n in model_names(model, text):
        lead = re.match(r"the\s+", n.text, re.IGNORECASE)  # "the Daily Beast": the article is not the name
        skip = lead.end() if lead else 0
        name, start = _trim(n.text[skip:], n.start + skip)
        if not name or any(start < e and s < start + len(name) for s, e in covered):
            continue
        guess = n.type, f"{said}: {n.label}"
        if n.label == "ORG":
            cue = _cue_type(name)
            guess = (cue[0], f"{said}: ORG; {cue[1]}") if cue else ("group", f"{said}: ORG; no cue word says "
                                                                    "which kind of organisation (a guess)")
        proposal = _propose(text, name, start, proposals, taken, guess)
        if proposal is not None:
            found.append(Mention(start, start + len(name), name, proposal.id, proposed=True))
            covered.append((start, start + len(name)))
    return found


def _candidates(text: str) -> list[tuple[int, str]]:
    """Runs of capitalised words, as (start, text). "Oregon and Orlando" is two names unless a cue word
    says the whole is one ("Bill and Melinda Gates Foundation"); "ICE's Homeland Security
    Investigations" is ICE's and the rest."""
    found = []
    for m in _CAPITALISED.finditer(text):
        name, start = m.group(0), m.start()
        if re.search(r"\b(?:Inc|Corp|Co|Ltd|Jr|Sr)$", name) and text[m.end():m.end() + 1] == ".":
            name += "."  # the stop belongs to the abbreviation
        name = _ON_TIME.sub("", name)
        title = _TITLE_WORDS.match(name)
        if title and _PERSON_SHAPE.match(name[title.end():]):
            name, start = name[title.end():], start + title.end()
        owner = re.match(r"\S+['’]s\s+(?=[A-Z])", name)
        if owner:
            found.append((start, name[:owner.end()].rstrip()))
            name, start = name[owner.end():], start + owner.end()
        if " and " in name and _cue_type(name) is None:
            at = 0
            for part in name.split(" and "):
                found.append((start + at, part))
                at += len(part) + len(" and ")
            continue
        found.append((start, name))
    return found


def _trim(name: str, start: int) -> tuple[str, int]:
    """The name without a leading function word ("The", "In") and a trailing possessive or stop."""
    words = name.split()
    # "In the United States": the joining "the" left after "In" is no more part of the name
    while words and (words[0].rstrip(".") in _NOT_NAMES or words[0] in _JOIN_WORDS) and len(words) > 1:
        start += name.index(words[1], len(words[0]))
        name = name[name.index(words[1], len(words[0])):]
        words = name.split()
    name = re.sub(r"['’]s$", "", name)
    if name.endswith(".") and not re.search(r"\b(?:Inc|Corp|Co|Ltd|Jr|Sr|[A-Z])\.$", name):
        name = name[:-1]
    return (name, start) if words else ("", start)


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start].rstrip(" “\"'‘(")
    return not before or before[-1] in ".!?\n"


def _propose(text: str, name: str, start: int, proposals: dict[str, Proposal], taken: set[str],
             guess: tuple[str, str] | None = None) -> Proposal | None:
    key = norm(name)
    for p in proposals.values():
        if norm(p.label) == key or key in (norm(a) for a in p.aliases):
            return p
    kind, why = guess or _guess_type(text, name, start)
    if kind is None:
        return None
    pid = _unique_id(name, taken)
    evidence = {"type": why}
    proposal = Proposal(pid, name, kind, [], evidence)
    acronym = _ACRONYM.match(text, start + len(name))
    if acronym:
        proposal.aliases.append(acronym.group(1))
        evidence["aliases"] = f"{acronym.group(1)!r} in parentheses after the name"
    proposals[pid] = proposal
    return proposal


def _cue_type(name: str) -> tuple[str, str] | None:
    """The type the first cue word in ``name`` gives, and why."""
    for pattern, kind in _TYPE_CUES:
        cue = pattern.search(name)
        if cue:
            return kind, f"guessed from {cue.group(0)!r} in the name"
    return None


def _guess_type(text: str, name: str, start: int) -> tuple[str | None, str]:
    cue = _cue_type(name)
    if cue:
        return cue
    before = text[max(0, start - 40):start]
    after = text[start + len(name):start + len(name) + 40]
    which = re.match(r"\s*,\s*which\s+(?:\w+\s+){0,2}?(sells|makes|develops|builds|provides|offers|markets)?", after)
    if which:  # a person is "who"; "which sells" is a company
        return ("company", f"{name!r}, which {which.group(1)} …: a company (a guess)") if which.group(1) else \
            ("group", f"{name!r}, which …: not a person; its kind is a guess")
    if _PERSON_SHAPE.match(name) and re.search(r"\bthe\s+$", before, re.IGNORECASE):
        return "group", "shaped like a first and last name, but written after 'the': an organisation (a guess)"
    if _PERSON_SHAPE.match(name):
        title = _TITLE_BEFORE.search(before)
        if title:
            return "person", f"a first and last name after {title.group(0).strip(' ,')!r}"
        after = text[start + len(name):start + len(name) + 12]
        if re.match(r"\s*(?:,|said|says|told|wrote)", after):
            return "person", "a first and last name that speaks or is described"
        return "person", "shaped like a first and last name (a guess)"
    if re.fullmatch(r"[A-Z]{2,6}", name):
        return "group", "an acronym; its kind is not said (a guess)"
    if " " in name:
        return "group", "a capitalised name without a cue word; its kind is a guess"
    if name in PLACES:
        return "place", f"{name!r} is a country or a US state"
    inside = len(re.findall(rf"(?<![.!?]\s)(?<![.!?]\s\W)(?<!^)\b{re.escape(name)}\b", text, re.MULTILINE))
    if inside >= 2:  # one capitalised word, written more than once inside sentences: a name
        return "group", f"{name!r} is capitalised inside sentences {inside} times; its kind is a guess"
    return None, ""


#: A gazetteer of places a single capitalised word names: the world's countries and the US states.
PLACES = frozenset("""
Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan Bahamas Bahrain
Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia Botswana Brazil Brunei Bulgaria Burundi
Cambodia Cameroon Canada Chad Chile China Colombia Comoros Congo Croatia Cuba Cyprus Czechia Denmark Djibouti
Dominica Ecuador Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France Gabon Gambia Georgia Germany Ghana
Greece Grenada Guatemala Guinea Guyana Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel
Italy Jamaica Japan Jordan Kazakhstan Kenya Kiribati Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia
Libya Liechtenstein Lithuania Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritania Mauritius
Mexico Micronesia Moldova Monaco Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands
Nicaragua Niger Nigeria Norway Oman Pakistan Palau Palestine Panama Paraguay Peru Philippines Poland Portugal
Qatar Romania Russia Rwanda Samoa Senegal Serbia Seychelles Singapore Slovakia Slovenia Somalia Spain Sudan
Suriname Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Togo Tonga Tunisia Turkey Turkmenistan
Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho Illinois Indiana
Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana
Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia Washington Wisconsin
Wyoming
""".split())


def _unique_id(name: str, taken: set[str]) -> str:
    base = slug(name.replace("’", "").replace("'", "")) or "entity"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    taken.add(pid)
    return pid


def _proposals_again(text: str, proposals: dict[str, Proposal], covered: list[tuple[int, int]]) -> list[Mention]:
    """A proposed name or alias written where the capitalised-name rule does not look ("ICE" opening a
    sentence or a quotation): linked like the case's own names."""
    if not proposals:
        return []
    found = []
    for m in Linker((p.id, p.label, p.aliases) for p in proposals.values()).find(text):
        if not any(m.start < e and s < m.end for s, e in covered):
            found.append(Mention(m.start, m.end, m.text, m.entity, proposed=True))
            covered.append((m.start, m.end))
    return found


def _later_short_forms(text: str, proposals: dict[str, Proposal], covered: list[tuple[int, int]]) -> list[Mention]:
    """A proposed person's surname on its own after the full name: an alias, and a mention."""
    found = []
    for p in proposals.values():
        if p.type != "person":
            continue
        surname = p.label.split()[-1]
        first = text.find(p.label)
        for m in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            if m.start() <= first or any(m.start() < e and s < m.end() for s, e in covered):
                continue
            found.append(Mention(m.start(), m.end(), surname, p.id, proposed=True))
            covered.append((m.start(), m.end()))
            if surname not in p.aliases:
                p.aliases.append(surname)
                p.evidence["aliases"] = f"{surname!r} used alone after {p.label!r}"
    return found


#: A pronoun or description standing for a name written before -> the entity types it may stand for.
ANAPHORS = {"he": ("person",), "she": ("person",), "the company": ("company",),
            "the agency": ("government-agency",), "the department": ("police-department", "government-agency"),
            "the group": ("advocacy-group", "research-group", "group"), "the organization": ("advocacy-group",)}
_ANAPHOR_WORD = re.compile(rf"\b(?i:{'|'.join(ANAPHORS)})\b")


def antecedent(text: str, start: int, mentions: list[Mention], types: dict[str, str]) -> Mention | None:
    """The name an anaphor ("the agency", "she") in ``text`` (at ``start`` in the article) stands for:
    the last name of a fitting type written before it."""
    for m in _ANAPHOR_WORD.finditer(text):
        fits = ANAPHORS[m.group(0).lower()]
        at = start + m.start()
        earlier = [x for x in mentions if x.end <= at and types.get(x.entity) in fits]
        if earlier:
            return earlier[-1]
    return None

