"""The controlled vocabularies a case may use, read from the ontology files.

The SKOS schemes in ``ontology/`` are the single source of truth for event
types, roles and stances: adding a concept there makes it valid in records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from timeline import prefixes, resources

_QUERY = """
SELECT ?scheme ?id WHERE {
  ?c skos:inScheme ?scheme ; skos:notation ?id .
}"""


@dataclass(frozen=True)
class Vocabularies:
    """The concept identifiers of the controlled vocabularies."""

    event_types: frozenset[str]
    roles: frozenset[str]
    stances: frozenset[str]
    date_bases: frozenset[str]


@lru_cache(maxsize=4)
def load_vocabularies(ontology: Path | None = None) -> Vocabularies:
    import pyoxigraph as ox

    directory = ontology or resources.ontology_dir()
    store = ox.Store()
    for name in ("event-types.ttl", "roles.ttl"):
        store.load(path=str(directory / name), format=ox.RdfFormat.TURTLE)
    found: dict[str, set[str]] = {}
    for row in store.query(_QUERY, prefixes=prefixes.PREFIXES):
        found.setdefault(row["scheme"].value, set()).add(row["id"].value)

    def ids(namespace: str) -> frozenset[str]:
        return frozenset(found.get(namespace, set()))

    return Vocabularies(
        event_types=ids(prefixes.EVENT_TYPE),
        roles=ids(prefixes.ROLE),
        stances=ids(prefixes.STANCE),
        date_bases=ids(prefixes.DATE_BASIS),
    )
