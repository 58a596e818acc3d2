"""Saved queries: ``.rq`` files with a header of title, description and parameters.

Header lines at the top of the file::

    # title: Timeline of an actor
    # description: Events an actor took part in, in date order.
    # param: actor (entity) The actor: an id, a label or alias, or an IRI.
    # param: from (date, optional) Start of the window.
    # param: min (integer, default=2) Smallest number of shared events.

Parameter values are bound as typed RDF terms (the engine substitutes them for
the variable of the same name); they are never pasted into the query text.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from timeline import namespaces, resources
from timeline.case.dates import EdtfError, parse_simple
from timeline.case.model import ENTITY_CLASS
from timeline.case.names import AmbiguousName, NameIndex, UnknownName, norm
from timeline.errors import TimelineError, did_you_mean
from timeline.query.results import XSD_INTEGER, QueryResult, Term


class Queryable(Protocol):
    """What binding parameters needs of a store: every :class:`timeline.stores.Store` is one (this layer is
    below the stores, so it names only the method it calls)."""

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult: ...


XSD_DATE = namespaces.XSD_DATE
PARAM_TYPES = ("entity", "event", "claim", "source", "record", "iri", "date", "date-end", "string", "integer",
               "event-type", "role", "stance", "entity-type")
_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z-]+)(?P<opts>[^)]*)\)\s*(?P<doc>.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    doc: str
    optional: bool = False
    default: str | None = None


@dataclass
class SavedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)


class ParamError(TimelineError):
    """A query parameter that is unknown, missing or of the wrong kind: ``param`` is ``"params"``."""


def _bad(name: str, value: str, detail: str) -> ParamError:
    """``param actor='x': detail``, which the command line shows as ``--param actor=x: detail``."""
    said = f"param {name}={value!r}"
    return ParamError(f"{said}: {detail}", param="params", said=said, value=f"{name}={value}")


def parse_saved(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    query = SavedQuery(path.stem, path, text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        value = value.strip()
        if key == "title":
            query.title = value
        elif key == "description":
            query.description = value
        elif key == "param":
            match = _PARAM_RE.match(value)
            if not match or match["type"] not in PARAM_TYPES:
                raise TimelineError(f"{path}:{number}: bad param header {value!r}; expected "
                                    "'NAME (TYPE[, optional][, default=VALUE]) description'")
            opts = match["opts"]
            default = re.search(r"default\s*=\s*([^,]+)", opts)
            query.params.append(Param(match["name"], match["type"], match["doc"].strip(),
                                      "optional" in opts or default is not None,
                                      default.group(1).strip() if default else None))
    return query


def saved_queries(directory: Path | None = None) -> dict[str, SavedQuery]:
    directory = directory or resources.queries_dir()
    return {p.stem: parse_saved(p) for p in sorted(directory.glob("*.rq"))}


def find_saved(name: str) -> SavedQuery:
    queries = saved_queries()
    if name in queries:
        return queries[name]
    raise TimelineError(f"unknown saved query {name!r}{did_you_mean(name, queries)}; "
                        "`timeline queries` lists them")


def parse_param_args(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``name=value`` strings from the command line."""
    result: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            said = f"param {item!r}"
            raise ParamError(f"{said}: expected NAME=VALUE", param="params", said=said, value=repr(item))
        result[name.strip()] = value
    return result


_PATHS = {"entity": "entity/", "event": "event/", "claim": "claim/", "source": "source/"}
_SCHEMES = {"event-type": namespaces.EVENT_TYPE, "role": namespaces.ROLE, "stance": namespaces.STANCE}


def bind(query: SavedQuery, given: dict[str, str], store: Queryable,
         on_resolved: Callable[[str], None] | None = None) -> dict[str, Term]:
    """Typed terms for a saved query's parameters; raises ParamError on bad values.

    An entity given by part of its name is reported to ``on_resolved`` (``resolved 'x' to 'id' (Label)``).
    """
    declared = {p.name: p for p in query.params}
    for name in given:
        if name not in declared:
            names = ", ".join(declared) or "none"
            said = f"param {name!r}"
            raise ParamError(f"{said}: {query.name} has no such parameter{did_you_mean(name, declared)} "
                             f"(parameters: {names})", param="params", said=said, value=name)
    bindings: dict[str, Term] = {}
    for p in query.params:
        value = given.get(p.name, p.default)
        if value is None:
            if p.optional:
                continue
            said = f"param {p.name!r}"
            raise ParamError(f"missing {said} ({p.type}): {p.doc}", param="params", said=said, value=f"{p.name}=...")
        bindings[p.name] = convert(p, value, store, on_resolved)
    return bindings


def convert(p: Param, value: str, store: Queryable, on_resolved: Callable[[str], None] | None = None) -> Term:
    if p.type in ("date", "date-end"):
        try:
            parsed = parse_simple(value.strip())
        except EdtfError as exc:
            raise _bad(p.name, value, f"not a date ({exc})") from None
        day = parsed.lo if p.type == "date" else parsed.hi
        return Term.literal(day.isoformat(), XSD_DATE)
    if p.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", value.strip()):  # int() refuses over 4,300 digits
            raise _bad(p.name, value, "not an integer (at most 18 digits)")
        return Term.literal(str(int(value)), XSD_INTEGER)
    if p.type == "string":
        return Term.literal(value)
    if p.type == "iri":
        return _iri(p.name, value)
    if p.type in _SCHEMES:
        return _concept(p.name, p.type, value, store)
    if p.type == "entity-type":
        return _entity_type(p.name, value)
    return _record(p.name, p.type, value, store, on_resolved)


def _iri(name: str, value: str) -> Term:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
        raise _bad(name, value, "not an absolute IRI")
    return Term.iri(value)


def case_base(store: Queryable) -> str:
    result = store.query("SELECT ?case WHERE { ?case a tl:Case } ORDER BY ?case", where="case lookup")
    if not result.rows:
        raise TimelineError("the built graph has no tl:Case; rebuild it with `timeline build`")
    return result.rows[0]["case"].value


def _record(name: str, kind: str, value: str, store: Queryable,
            on_resolved: Callable[[str], None] | None = None) -> Term:
    """An id, a name of an entity (entities and records: see :mod:`timeline.case.names`) or an IRI, checked to exist
    in the graph."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        return Term.iri(value)
    base = case_base(store)
    if kind == "entity":
        return Term.iri(base + _PATHS["entity"] + _entity_id(name, value, store, on_resolved))
    paths = list(_PATHS.values()) if kind == "record" else [_PATHS[kind]]
    rows = store.query(
        "SELECT ?x ?id WHERE { ?x dcterms:identifier ?id ; tl:inCase ?case }", {"case": Term.iri(base)},
        where="id lookup").rows
    known = {row["id"].value: row["x"].value for row in rows
             if any(row["x"].value == f"{base}{path}{row['id'].value}" for path in paths)}
    if value in known:
        return Term.iri(known[value])
    if kind == "record":  # not a record's id: an entity's name, if it is one
        index = entity_names(store)
        if index.find(value, partial=True)[1]:
            return Term.iri(base + _PATHS["entity"] + _entity_id(name, value, store, on_resolved))
    noun = "record" if kind == "record" else kind
    raise _bad(name, value, f"no {noun} with id {value!r}{did_you_mean(value, known)}")


#: A case's ids (``timeline.case.loader.ID_RE``): unchanged by :func:`~timeline.case.names.norm`, so distinct.
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def _entity_id(name: str, value: str, store: Queryable, on_resolved: Callable[[str], None] | None) -> str:
    key = norm(value)
    if _ID.fullmatch(key) and _has_entity(store, key):
        # The name index's first tier, its answer in one lookup: reading every name of a 100,000-event case to
        # find that would take seconds per command (labels, aliases and parts of names still need the index).
        return key
    try:
        match = entity_names(store).resolve(value, partial=True)
    except (UnknownName, AmbiguousName) as exc:
        raise _bad(name, value, str(exc)) from None
    if match.partial and on_resolved is not None:
        on_resolved(match.note(value))
    return match.id


def _has_entity(store: Queryable, eid: str) -> bool:
    """Whether the case has an entity with this id, exactly as :func:`entity_names` reads them."""
    base = case_base(store)
    return bool(store.query(
        "SELECT ?x WHERE { ?x tl:inCase ?case ; dcterms:identifier ?id . FILTER (STR(?id) = ?eid) } LIMIT 1",
        {"x": Term.iri(base + _PATHS["entity"] + eid), "case": Term.iri(base), "eid": Term.literal(eid)},
        where="entity id lookup").rows)


#: The entity names of a store, read once per store (a command binds several parameters).
_NAME_INDEXES: weakref.WeakKeyDictionary[Queryable, NameIndex] = weakref.WeakKeyDictionary()


def entity_names(store: Queryable) -> NameIndex:
    """The ids, labels and aliases of the case's entities in ``store``, as a :class:`~timeline.case.names.NameIndex`:
    the same resolver the case checks and ``timeline entity`` use.

    A store kept on disk carries them, read once when it was built (``entity_name_records``): reading them from
    the graph of a 100,000-event case takes seconds, which every command naming an entity would pay again.
    """
    try:
        return _NAME_INDEXES[store]
    except (KeyError, TypeError):
        pass
    kept = getattr(store, "kept_entity_names", None)
    records = kept() if kept is not None else None
    index = NameIndex(records if records is not None else entity_name_records(store))
    try:
        _NAME_INDEXES[store] = index
    except TypeError:  # a store that cannot be weakly referenced: read again next time
        pass
    return index


def entity_name_records(store: Queryable) -> list[tuple[str, str, list[str]]]:
    """``(id, label, aliases)`` of each entity of the case in ``store``, read from its graph."""
    base = case_base(store)
    rows = store.query(
        # Identifiers first, and the cheap STRSTARTS before the CONCAT: the same rows, 1.5-3x sooner on a big case.
        """SELECT ?id ?label ?alias WHERE {
             ?x dcterms:identifier ?id . FILTER (STRSTARTS(STR(?x), ?prefix) && STR(?x) = CONCAT(?prefix, STR(?id)))
             ?x tl:inCase ?case .
             OPTIONAL { ?x rdfs:label ?label } OPTIONAL { ?x skos:altLabel ?alias }
           }""",
        {"case": Term.iri(base), "prefix": Term.literal(base + _PATHS["entity"])}, where="entity names").rows
    labels: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    for row in rows:
        eid = row["id"].value
        label = row.get("label")
        if label is not None and eid not in labels:
            labels[eid] = label.value
        names = aliases.setdefault(eid, [])
        alias = row.get("alias")
        if alias is not None and alias.value not in names:
            names.append(alias.value)
    return [(eid, labels.get(eid, eid), names) for eid, names in aliases.items()]


def _concept(name: str, kind: str, value: str, store: Queryable) -> Term:
    namespace = _SCHEMES[kind]
    rows = store.query("SELECT ?id WHERE { ?c skos:inScheme ?scheme ; skos:notation ?id }",
                       {"scheme": Term.iri(namespace)}, where="concept lookup").rows
    ids = {row["id"].value for row in rows}
    if value in ids:
        return Term.iri(namespace + value)
    raise _bad(name, value, f"unknown {kind}{did_you_mean(value, ids)}")


def _entity_type(name: str, value: str) -> Term:
    classes = {**ENTITY_CLASS, "agent": "Agent", "organization": "Organization"}
    if value in classes:
        return Term.iri(namespaces.TL + classes[value])
    raise _bad(name, value, f"unknown entity type{did_you_mean(value, classes)}")
