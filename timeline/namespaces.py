"""The vocabulary in one place: namespace IRIs, the ``tl:`` terms the code uses, and the IRIs of other
vocabularies it writes or reads, as plain strings.

``ontology/timeline.ttl`` is the authoritative definition of every ``tl:`` term; tests/test_ontology.py
checks that :data:`TL_TERMS` and the ontology define the same terms, so the two cannot drift apart. Kept
free of rdflib so that fast paths (``--help``, queries answered by pyoxigraph) never pay its import cost.
The controlled vocabularies (event types, roles, stances, date bases) are data of the ontology's SKOS
files, read by :mod:`timeline.case.vocabularies`.
"""

from __future__ import annotations

import re

TL = "https://w3id.org/timeline/ns#"
EVENT_TYPE = "https://w3id.org/timeline/ns/event-type/"
ROLE = "https://w3id.org/timeline/ns/role/"
STANCE = "https://w3id.org/timeline/ns/stance/"
DATE_BASIS = "https://w3id.org/timeline/ns/date-basis/"
CAMEO = "https://w3id.org/timeline/ns/cameo/"
CASE_BASE = "https://w3id.org/timeline/case/"

#: Prefixes predeclared for every query and used when serialising.
PREFIXES: dict[str, str] = {
    "tl": TL,
    "et": EVENT_TYPE,
    "role": ROLE,
    "stance": STANCE,
    "basis": DATE_BASIS,
    "cameo": CAMEO,
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}


_WIKIDATA_ID = re.compile(r"(?:^|/)(Q[1-9][0-9]{0,11})\Z")


def wikidata_id(value: str | None) -> str | None:
    """The Wikidata item id (``Q123``) of ``Q123``, of its entity IRI (``wd:Q123``, ``PREFIXES["wd"]``) or of
    any IRI whose last segment it is; None for anything else (free text, a ``javascript:`` URL, ``P31``).

    ``tl:wikidata`` holds the id as written in a case, but a graph imported or read from an endpoint may hold
    anything there: only a well-formed id ever becomes a link to wikidata.org.
    """
    match = _WIKIDATA_ID.search((value or "").strip())
    return match.group(1) if match else None


def case_base(case_id: str) -> str:
    """Base IRI under which a case's resources are minted."""
    return f"{CASE_BASE}{case_id}/"


#: The ``tl:`` classes and properties, by local name.
TL_TERMS: frozenset[str] = frozenset((
    # Classes: events, participation, claims, provenance
    "Event", "Participation", "Claim", "Mention", "SourceArticle", "Case",
    # Classes: agents
    "Agent", "Person", "Organization", "Company", "GovernmentAgency", "PoliceDepartment", "AdvocacyGroup",
    "ResearchGroup", "NewsOrganization", "Legislature", "Group",
    # Classes: things that are not agents
    "Product", "Technology", "Project", "Place", "Document", "Report", "Letter", "Study", "PressRelease", "Email",
    "BlogPost",
    # Classes: concept kinds
    "EventType", "Role", "Stance", "DateBasis", "unitSeason",
    # Event properties
    "eventType", "hasParticipation", "participant", "role", "involves", "place", "produced", "subEventOf",
    "respondsTo",
    # Dates (the four SEM bounds are used as they are)
    "edtf", "dateLabel", "sortDate", "dateApproximate", "dateUncertain", "dateBasis", "dateNote", "monthRange",
    # Claims
    "claimant", "onBehalfOf", "about", "stance", "claimText", "contradicts", "corroborates", "sourceReliability",
    "informationCredibility",
    # Mentions and sources
    "hasMention", "inSource", "sha256", "titleSupplied", "publicationNote", "inCase",
    # Entities
    "wikidata", "memberOf", "parentOrganization", "madeBy", "locatedIn", "note",
    # Media: an event's image
    "Media", "media", "mediaFile", "altText",
))

# Terms of other vocabularies that the code names directly.
RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_LANGSTRING = PREFIXES["rdf"] + "langString"
RDFS_SUBCLASS_OF = PREFIXES["rdfs"] + "subClassOf"
XSD = PREFIXES["xsd"]
XSD_DATE = XSD + "date"
SH = PREFIXES["sh"]
#: The month-range index of event dates (see ontology/README.md, "Dates").
MONTH_RANGES = "https://w3id.org/timeline/ns/date-range/"


def tl(name: str) -> str:
    """The IRI of the ``tl:`` term ``name``; a KeyError for a term the ontology does not define."""
    if name not in TL_TERMS:
        raise KeyError(f"tl:{name} is not a term of the timeline ontology")
    return TL + name
