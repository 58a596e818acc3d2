"""The timeline vocabulary as rdflib namespaces.

``ontology/timeline.ttl`` is the authoritative definition of every term; the
test suite checks that each name declared here is defined there with a label
and a definition, so the two cannot drift apart.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from timeline import namespaces as prefixes


class TL(DefinedNamespace):
    """Classes and properties of the timeline ontology."""

    _NS = Namespace(prefixes.TL)
    _fail = True

    # Classes: events, participation, claims, provenance
    Event: URIRef
    Participation: URIRef
    Claim: URIRef
    Mention: URIRef
    SourceArticle: URIRef
    Case: URIRef
    # Classes: agents
    Agent: URIRef
    Person: URIRef
    Organization: URIRef
    Company: URIRef
    GovernmentAgency: URIRef
    PoliceDepartment: URIRef
    AdvocacyGroup: URIRef
    ResearchGroup: URIRef
    NewsOrganization: URIRef
    Legislature: URIRef
    Group: URIRef
    # Classes: things that are not agents
    Product: URIRef
    Technology: URIRef
    Project: URIRef
    Place: URIRef
    Document: URIRef
    Report: URIRef
    Letter: URIRef
    Study: URIRef
    PressRelease: URIRef
    Email: URIRef
    BlogPost: URIRef
    # Classes: concept kinds
    EventType: URIRef
    Role: URIRef
    Stance: URIRef
    DateBasis: URIRef
    unitSeason: URIRef

    # Event properties
    eventType: URIRef
    hasParticipation: URIRef
    participant: URIRef
    role: URIRef
    involves: URIRef
    place: URIRef
    produced: URIRef
    subEventOf: URIRef
    respondsTo: URIRef
    # Dates (the four SEM bounds are used as they are)
    edtf: URIRef
    dateLabel: URIRef
    sortDate: URIRef
    dateApproximate: URIRef
    dateUncertain: URIRef
    dateBasis: URIRef
    dateNote: URIRef
    monthRange: URIRef
    # Claims
    claimant: URIRef
    onBehalfOf: URIRef
    about: URIRef
    stance: URIRef
    claimText: URIRef
    contradicts: URIRef
    corroborates: URIRef
    sourceReliability: URIRef
    informationCredibility: URIRef
    # Mentions and sources
    hasMention: URIRef
    inSource: URIRef
    sha256: URIRef
    titleSupplied: URIRef
    publicationNote: URIRef
    inCase: URIRef
    # Entities
    wikidata: URIRef
    memberOf: URIRef
    parentOrganization: URIRef
    madeBy: URIRef
    locatedIn: URIRef
    note: URIRef


EVENT_TYPE = Namespace(prefixes.EVENT_TYPE)
ROLE = Namespace(prefixes.ROLE)
STANCE = Namespace(prefixes.STANCE)
DATE_BASIS = Namespace(prefixes.DATE_BASIS)
CAMEO = Namespace(prefixes.CAMEO)
SEM = Namespace(prefixes.PREFIXES["sem"])
OA = Namespace(prefixes.PREFIXES["oa"])
SCHEMA = Namespace(prefixes.PREFIXES["schema"])
WD = Namespace(prefixes.PREFIXES["wd"])
