"""One resolver for the names of entities: what a person types or writes (an id, a label or an alias)
turned into an entity id.

Used by the case checks (references in records) and by every interactive lookup (``entity``,
``path``, query parameters, ``render --focus``), so a name means the same entity everywhere.
Stdlib only: the case layer imports it.

Order: an exact id wins, then a label, then an alias, compared case-, quote- and
whitespace-insensitively; an interactive lookup then accepts a partial name that only one
entity's names contain (and says so, :attr:`Match.note`). A name several entities share is an
error listing them; an unknown one gets suggestions, one per entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from timeline.errors import TimelineError, close_matches, did_you_mean_text

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_WORD = re.compile(r"\w+")
#: A partial name shorter than this is only compared word by word ("a" is in every name).
_MIN_SUBSTRING = 3
#: How many entities an ambiguity lists before "and N more".
_LISTED = 6
TIERS = ("id", "label", "alias")


def norm(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form of a name: ``Sheriff’s  Office`` == ``sheriff's office``."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


@dataclass(frozen=True)
class Match:
    """The entity a name was resolved to, and how: ``id``, ``label``, ``alias`` or ``partial``."""

    id: str
    label: str
    how: str
    #: The entity's name that matched, as written in the case.
    name: str

    @property
    def partial(self) -> bool:
        return self.how == "partial"

    def note(self, asked: str) -> str:
        """``resolved 'immigration and customs' to 'ice' (U.S. Immigration and Customs Enforcement)``."""
        return f"resolved {asked!r} to {self.id!r} ({self.label})"


class UnknownName(TimelineError):
    """No entity has this name; ``suggestions`` are the closest names, one per entity."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__(message)
        self.suggestions = suggestions


class AmbiguousName(TimelineError):
    """Several entities have this name (or contain it); ``ids`` lists them."""

    def __init__(self, message: str, ids: list[str]):
        super().__init__(message)
        self.ids = ids


class NameIndex:
    """The ids, labels and aliases of a set of entities, ready to resolve names.

    ``entities``: ``(id, label, aliases)`` triples.
    """

    def __init__(self, entities: Iterable[tuple[str, str, Iterable[str]]]):
        self.labels: dict[str, str] = {}
        self._tiers: tuple[dict[str, list[str]], ...] = ({}, {}, {})
        # Every name (normalised) -> how it is written (the first seen: ids, then labels, then aliases).
        self._written: dict[str, str] = {}
        rows = sorted((eid, label, list(aliases)) for eid, label, aliases in entities)
        for eid, label, _aliases in rows:
            self.labels[eid] = label
        for tier, names_of in zip(self._tiers, (lambda r: [r[0]], lambda r: [r[1]], lambda r: r[2]), strict=True):
            for row in rows:
                for text in names_of(row):
                    key = norm(text)
                    if not key:
                        continue
                    owners = tier.setdefault(key, [])
                    if row[0] not in owners:
                        owners.append(row[0])
                    self._written.setdefault(key, text)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def exact(self, name: str) -> tuple[str, list[str]]:
        """``(tier, ids)`` of the first tier (id, label, alias) in which ``name`` names something; ``("", [])``."""
        key = norm(name)
        for tier_name, tier in zip(TIERS, self._tiers, strict=True):
            found = tier.get(key)
            if found:
                return tier_name, list(found)
        return "", []

    def partial(self, name: str) -> list[str]:
        """Ids of the entities one of whose names contains ``name``, or all of its words."""
        key = norm(name)
        words = set(_WORD.findall(key))
        if not words:
            return []
        found: set[str] = set()
        for tier in self._tiers:
            for text, owners in tier.items():
                if (len(key) >= _MIN_SUBSTRING and key in text) or words <= set(_WORD.findall(text)):
                    found.update(owners)
        return sorted(found)

    def find(self, name: str, partial: bool = False) -> tuple[str, list[str]]:
        """``(how, ids)``: the exact match's tier, or ``partial`` (when allowed and exact finds nothing)."""
        how, ids = self.exact(name)
        if ids or not partial:
            return how, ids
        ids = self.partial(name)
        return ("partial" if ids else ""), ids

    def resolve(self, name: str, partial: bool = True, what: str = "") -> Match:
        """The one entity ``name`` stands for; raises :class:`UnknownName` or :class:`AmbiguousName`.

        ``what`` prefixes the messages (``--focus 'x': ``).
        """
        how, ids = self.find(name, partial)
        if len(ids) == 1:
            eid = ids[0]
            return Match(eid, self.labels[eid], how, self._matched_name(eid, name, how))
        if ids:
            verb = "is part of the names of" if how == "partial" else "names"
            raise AmbiguousName(f"{what}{name!r} is ambiguous: it {verb} {len(ids)} entities, "
                                f"{self.listing(ids)}; give an id", ids)
        suggestions = self.suggestions(name)
        raise UnknownName(f"{what}no entity named {name!r}{did_you_mean_text(suggestions)}", suggestions)

    def listing(self, ids: list[str]) -> str:
        """``'amazon' (Amazon), 'amazon-web-services' (Amazon Web Services)``, the first few of ``ids``."""
        shown = ", ".join(f"{i!r} ({self.labels.get(i, i)})" for i in ids[:_LISTED])
        return shown + (f" and {len(ids) - _LISTED} more" if len(ids) > _LISTED else "")

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """The names closest to ``name``, as written, at most one per entity (its closest name)."""
        close = close_matches(norm(name), self._written, n * 4)  # the keys are normalised: one per spelling
        seen: set[str] = set()
        result: list[str] = []
        for key in close:
            owners = tuple(sorted({i for tier in self._tiers for i in tier.get(key, ())}))
            if set(owners) <= seen:
                continue
            seen.update(owners)
            result.append(self._written[key])
            if len(result) == n:
                break
        return result

    def _matched_name(self, eid: str, name: str, how: str) -> str:
        if how == "id":
            return eid
        if how == "label" or how == "partial":
            return self.labels[eid]
        return self._written.get(norm(name), name)

