"""Namespace IRIs as plain strings.

Kept free of rdflib so that fast paths (``--help``, queries answered by
pyoxigraph) never pay rdflib's import cost.
"""

from __future__ import annotations

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


def case_base(case_id: str) -> str:
    """Base IRI under which a case's resources are minted."""
    return f"{CASE_BASE}{case_id}/"
