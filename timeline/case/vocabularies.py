"""The controlled vocabularies a case may use, read from the ontology files.

The SKOS schemes in ``ontology/`` are the single source of truth for event
types, roles and stances: adding a concept there makes it valid in records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from timeline import namespaces, resources

_QUERY = """
SELECT ?scheme ?id WHERE {
  ?c skos:inScheme ?scheme ; skos:notation ?id .
}"""


@dataclass(frozen=True)
class Vocabularies:
    """The concept identifiers of the controlled vocabularies, and the files that define them."""

    event_types: frozenset[str]
    roles: frozenset[str]
    stances: frozenset[str]
    date_bases: frozenset[str]
    #: ``(field name, file)`` pairs: which ontology file defines each vocabulary (for error messages).
    files: tuple[tuple[str, Path], ...] = ()

    def file_of(self, name: str) -> Path | None:
        """The file that defines the vocabulary ``name`` (``event_types``, ``roles``, ...)."""
        return dict(self.files).get(name)


_FIELDS = {namespaces.EVENT_TYPE: "event_types", namespaces.ROLE: "roles", namespaces.STANCE: "stances",
           namespaces.DATE_BASIS: "date_bases"}


@lru_cache(maxsize=4)
def load_vocabularies(ontology: Path | None = None) -> Vocabularies:
    import pyoxigraph as ox

    directory = ontology or resources.ontology_dir()
    found: dict[str, set[str]] = {}
    files: dict[str, Path] = {}
    for name in ("event-types.ttl", "roles.ttl"):
        store = ox.Store()  # one per file, so each scheme is known with the file that defines it
        store.load(path=str(directory / name), format=ox.RdfFormat.TURTLE)
        for row in store.query(_QUERY, prefixes=namespaces.PREFIXES):
            scheme = row["scheme"].value
            found.setdefault(scheme, set()).add(row["id"].value)
            if scheme in _FIELDS:
                files.setdefault(_FIELDS[scheme], directory / name)

    def ids(namespace: str) -> frozenset[str]:
        return frozenset(found.get(namespace, set()))

    return Vocabularies(
        event_types=ids(namespaces.EVENT_TYPE),
        roles=ids(namespaces.ROLE),
        stances=ids(namespaces.STANCE),
        date_bases=ids(namespaces.DATE_BASIS),
        files=tuple(sorted(files.items())),
    )
