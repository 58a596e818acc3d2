"""The records of a case: sources, entities, events, claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline.case.dates import DateSpan

AGENT_TYPES = {
    "person", "company", "government-agency", "police-department", "advocacy-group",
    "research-group", "news-organization", "legislature", "group",
}
DOCUMENT_TYPES = {"document", "report", "letter", "study", "press-release", "email", "blog-post"}
ORGANIZATION_TYPES = AGENT_TYPES - {"person", "group"}
ENTITY_TYPES = AGENT_TYPES | DOCUMENT_TYPES | {"product", "technology", "project", "place"}

#: Entity type -> class local name in the ontology.
ENTITY_CLASS = {
    "person": "Person", "company": "Company", "government-agency": "GovernmentAgency",
    "police-department": "PoliceDepartment", "advocacy-group": "AdvocacyGroup",
    "research-group": "ResearchGroup", "news-organization": "NewsOrganization",
    "legislature": "Legislature", "group": "Group", "product": "Product",
    "technology": "Technology", "project": "Project", "place": "Place", "document": "Document",
    "report": "Report", "letter": "Letter", "study": "Study", "press-release": "PressRelease",
    "email": "Email", "blog-post": "BlogPost",
}
DATE_BASES = ("stated", "resolved", "inferred", "external")

#: ``progress(done, total)``: called as a long input is read.
Progress = Callable[[int, int], None]


@dataclass
class Citation:
    """A quote from an article that supports a record, with where it was given (``line``)."""

    source: str
    quote: str
    line: int
    start: int = -1  # code-point offsets into the article text, end exclusive
    end: int = -1


@dataclass
class Dated:
    """Fields shared by events and claims for when something happened."""

    date: DateSpan | None = None
    date_basis: str | None = None
    date_note: str | None = None


@dataclass
class Source:
    """An article: its text and metadata, read from the case's sources."""

    id: str
    path: Path
    line: int
    title: str
    text: str
    sha256: str
    language: str
    published: DateSpan | None
    published_note: str | None = None
    title_supplied: bool = False
    publisher: str | None = None
    publisher_note: str | None = None
    url: str | None = None
    seed: str | None = None
    trimmed: str | None = None


@dataclass
class Entity:
    """A person, organisation, place, product or document that events and claims refer to."""

    id: str
    type: str
    label: str
    path: Path
    line: int
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    wikidata: str | None = None
    member_of: list[str] = field(default_factory=list)
    parent: str | None = None
    made_by: str | None = None
    located_in: str | None = None
    position: str | None = None
    note: str | None = None
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @property
    def is_agent(self) -> bool:
        return self.type in AGENT_TYPES


@dataclass
class Participant:
    """An entity taking part in an event, in a role of the role vocabulary."""

    entity: str
    role: str
    line: int


@dataclass
class Media:
    """An event's image: a ``file`` in the case directory (inlined into pages) or a ``url`` (shown as a link
    only, so pages stay offline), with the alt text and credit every image needs."""

    alt: str
    credit: str
    file: str | None = None  # relative to the case directory, as timeline.case.images.relative_path cleans it
    url: str | None = None
    sha256: str | None = None  # of the file's bytes, filled in by the checks that read it
    line: int = 0
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass
class Event(Dated):
    """Something that happened, with its participants and the quotes that support it."""

    id: str = ""
    path: Path = Path()
    line: int = 0
    types: list[str] = field(default_factory=list)
    label: str = ""
    description: str = ""
    place: str | None = None
    participants: list[Participant] = field(default_factory=list)
    produced: list[str] = field(default_factory=list)
    responds_to: list[str] = field(default_factory=list)
    sub_event_of: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    note: str | None = None
    media: Media | None = None
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass
class Claim(Dated):
    """What someone said, attributed to them, with its stance and the quotes that support it."""

    id: str = ""
    path: Path = Path()
    line: int = 0
    claimant: str = ""
    text: str = ""
    stance: str = ""
    about: list[str] = field(default_factory=list)
    on_behalf_of: str | None = None
    stated_in: str | None = None
    citations: list[Citation] = field(default_factory=list)
    contradicts: list[str] = field(default_factory=list)
    corroborates: list[str] = field(default_factory=list)
    source_reliability: str | None = None
    information_credibility: int | None = None
    note: str | None = None
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass
class DraftRecord:
    """A record marked ``status: draft`` (in the case's files or in a draft file): checked, not built."""

    kind: str  # "entities", "events" or "claims"
    path: Path
    raw: Any  # the record as read (a yamlio.LineDict)
    index: int


@dataclass
class Case:
    """One case: its metadata and its records, keyed by id."""

    id: str
    path: Path
    title: str
    description: str
    language: str
    base: str
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    # Records that exist but could not be loaded (their errors are already reported), and
    # record files that could not be read at all: references to them are not errors again.
    failed_ids: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    #: Records of the case's files marked ``status: draft``: not built until accepted.
    drafts: list[DraftRecord] = field(default_factory=list)

    def record(self, record_id: str) -> Source | Entity | Event | Claim | None:
        for table in (self.entities, self.events, self.claims, self.sources):
            if record_id in table:
                return table[record_id]
        return None
