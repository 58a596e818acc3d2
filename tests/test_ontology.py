"""The vocabulary files in ontology/: they parse, agree with timeline.namespaces, and work."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from timeline import namespaces

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
TTL_FILES = sorted(ONTOLOGY.glob("*.ttl"))
ONTOLOGY_IRI = URIRef("https://w3id.org/timeline/ns")
TL_NS = namespaces.TL
NAMES = sorted(namespaces.TL_TERMS)

SEM = Namespace(namespaces.PREFIXES["sem"])
PROV = Namespace(namespaces.PREFIXES["prov"])
OA = Namespace(namespaces.PREFIXES["oa"])
SCHEMA = Namespace(namespaces.PREFIXES["schema"])
TIME = Namespace(namespaces.PREFIXES["time"])
SH = Namespace(namespaces.PREFIXES["sh"])
ET = Namespace(namespaces.EVENT_TYPE)
CAMEO = Namespace(namespaces.CAMEO)

TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}


@cache
def load(name: str) -> Graph:
    return Graph().parse(ONTOLOGY / name, format="turtle")


def tl(name: str) -> URIRef:
    return URIRef(TL_NS + name)


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [
        o
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en"
    ]


# --- (a) every Turtle file parses with rdflib and with pyoxigraph ---------------------------


def test_expected_files_exist() -> None:
    for name in (
        "timeline.ttl",
        "event-types.ttl",
        "roles.ttl",
        "shapes.ttl",
        "context.jsonld",
        "README.md",
    ):
        assert (ONTOLOGY / name).is_file(), name


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: p.name)
def test_turtle_parses_with_rdflib(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: p.name)
def test_turtle_parses_with_pyoxigraph(path: Path) -> None:
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(load(path.name))


# --- (b), (c) timeline.ttl and timeline.namespaces.TL_TERMS define the same terms -----------------------


def test_ontology_header() -> None:
    g = load("timeline.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.1.0")) in g
    assert (
        ONTOLOGY_IRI,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in g
    assert english(g, ONTOLOGY_IRI, DCTERMS.title)
    assert english(g, ONTOLOGY_IRI, DCTERMS.description)


@pytest.mark.parametrize("name", NAMES)
def test_vocab_name_is_defined(name: str) -> None:
    g = load("timeline.ttl")
    term = tl(name)
    assert len(english(g, term, RDFS.label)) == 1, f"tl:{name} needs one rdfs:label@en"
    definitions = english(g, term, SKOS.definition)
    assert len(definitions) == 1, f"tl:{name} needs one skos:definition@en"
    assert str(definitions[0]).endswith("."), (
        f"the definition of tl:{name} is a sentence"
    )
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g
    types = set(g.objects(term, RDF.type))
    if name == "unitSeason":
        assert TIME.TemporalUnit in types
    else:
        assert types & TERM_TYPES, (
            f"tl:{name} has no owl:Class/ObjectProperty/DatatypeProperty type"
        )
        assert (name[0].isupper()) == (OWL.Class in types), (
            f"tl:{name}: classes are capitalised"
        )


def test_no_undocumented_terms() -> None:
    g = load("timeline.ttl")
    declared = {
        s
        for t in TERM_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(TL_NS)
    }
    described = {
        s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(TL_NS)
    }
    known = {tl(n) for n in NAMES}
    assert declared - known == set(), (
        "terms in timeline.ttl missing from timeline.namespaces.TL_TERMS"
    )
    assert described - known == set(), (
        "resources in the tl namespace missing from timeline.namespaces.TL_TERMS"
    )


def test_property_kinds() -> None:
    g = load("timeline.ttl")
    datatype = {
        "edtf",
        "dateLabel",
        "sortDate",
        "dateApproximate",
        "dateUncertain",
        "dateNote",
        "claimText",
        "sourceReliability",
        "informationCredibility",
        "sha256",
        "titleSupplied",
        "publicationNote",
        "wikidata",
        "note",
        "mediaFile",
        "altText",
    }
    for name in NAMES:
        if name[0].isupper() or name == "unitSeason":
            continue
        expected = OWL.DatatypeProperty if name in datatype else OWL.ObjectProperty
        assert (tl(name), RDF.type, expected) in g, name
    assert (tl("contradicts"), RDF.type, OWL.SymmetricProperty) in g
    assert (tl("sortDate"), RDFS.range, XSD.date) in g
    assert (tl("dateApproximate"), RDFS.range, XSD.boolean) in g


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        ("Event", SEM.Event),
        ("Event", SCHEMA.Event),
        ("Agent", SEM.Actor),
        ("Agent", PROV.Agent),
        ("Person", tl("Agent")),
        ("Person", SCHEMA.Person),
        ("Person", PROV.Person),
        ("Organization", tl("Agent")),
        ("Organization", SCHEMA.Organization),
        ("Organization", PROV.Organization),
        ("Company", tl("Organization")),
        ("Company", SCHEMA.Corporation),
        ("GovernmentAgency", SCHEMA.GovernmentOrganization),
        ("PoliceDepartment", tl("GovernmentAgency")),
        ("Legislature", SCHEMA.GovernmentOrganization),
        ("AdvocacyGroup", SCHEMA.NGO),
        ("ResearchGroup", tl("Organization")),
        ("NewsOrganization", SCHEMA.NewsMediaOrganization),
        ("Group", tl("Agent")),
        ("Product", SCHEMA.Product),
        ("Technology", PROV.Entity),
        ("Project", SCHEMA.Project),
        ("Place", SEM.Place),
        ("Place", SCHEMA.Place),
        ("Document", PROV.Entity),
        ("Document", SCHEMA.CreativeWork),
        ("Report", SCHEMA.Report),
        ("Letter", tl("Document")),
        ("Study", SCHEMA.ScholarlyArticle),
        ("PressRelease", tl("Document")),
        ("Email", SCHEMA.EmailMessage),
        ("BlogPost", SCHEMA.BlogPosting),
        ("Claim", PROV.Entity),
        ("Mention", OA.Annotation),
        ("SourceArticle", SCHEMA.NewsArticle),
        ("SourceArticle", PROV.Entity),
        ("Case", PROV.Collection),
        ("Case", SCHEMA.Dataset),
        ("EventType", SKOS.Concept),
        ("Role", SKOS.Concept),
        ("Stance", SKOS.Concept),
        ("DateBasis", SKOS.Concept),
    ],
)
def test_class_alignment(sub: str, sup: URIRef) -> None:
    assert (tl(sub), RDFS.subClassOf, sup) in load("timeline.ttl")


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        ("role", SEM.roleType),
        ("place", SEM.hasPlace),
        ("produced", PROV.generated),
        ("subEventOf", SEM.subEventOf),
        ("claimant", PROV.wasAttributedTo),
        ("memberOf", SCHEMA.memberOf),
        ("parentOrganization", SCHEMA.parentOrganization),
        ("madeBy", SCHEMA.manufacturer),
        ("locatedIn", SCHEMA.location),
    ],
)
def test_property_alignment(sub: str, sup: URIRef) -> None:
    assert (tl(sub), RDFS.subPropertyOf, sup) in load("timeline.ttl")


def test_no_police_station_match() -> None:
    g = load("timeline.ttl")
    assert not any(
        o == SCHEMA.PoliceStation for o in g.objects(tl("PoliceDepartment"), None)
    )
    assert (tl("Participation"), SKOS.closeMatch, SEM.Role) in g


# --- (d) concept schemes ----------------------------------------------------------------------

SCHEMES = [
    ("event-types.ttl", namespaces.EVENT_TYPE, tl("EventType")),
    ("event-types.ttl", namespaces.CAMEO, None),
    ("roles.ttl", namespaces.ROLE, tl("Role")),
    ("roles.ttl", namespaces.STANCE, tl("Stance")),
    ("roles.ttl", namespaces.DATE_BASIS, tl("DateBasis")),
]

EXPECTED_IDS = {
    namespaces.EVENT_TYPE: {
        "meeting",
        "pitch",
        "presentation",
        "report",
        "news-report",
        "study",
        "letter",
        "email",
        "statement",
        "announcement",
        "interview",
        "press-release",
        "criticism",
        "demand",
        "request",
        "refusal",
        "protest",
        "moratorium",
        "policy-change",
        "legislation",
        "discontinuation",
        "test",
        "deployment",
        "contract",
        "partnership",
        "disclosure",
        "incident",
        "broadcast",
        "investigation",
    },
    namespaces.CAMEO: {"010", "020", "040", "061", "090", "100", "111", "120", "140"},
    namespaces.ROLE: {
        "initiator",
        "target",
        "participant",
        "author",
        "publisher",
        "signatory",
        "recipient",
        "speaker",
        "spokesperson",
        "interviewer",
        "interviewee",
        "vendor",
        "customer",
        "host",
        "partner",
        "subject",
        "product",
    },
    namespaces.STANCE: {
        "asserts",
        "denies",
        "criticises",
        "defends",
        "supports",
        "opposes",
        "commits",
        "demands",
    },
    namespaces.DATE_BASIS: {"stated", "resolved", "inferred", "external"},
}


def concepts(graph: Graph, scheme: str) -> dict[str, URIRef]:
    return {
        str(c)[len(scheme) :]: c for c in graph.subjects(SKOS.inScheme, URIRef(scheme))
    }


@pytest.mark.parametrize(
    ("filename", "scheme", "kind"),
    SCHEMES,
    ids=lambda v: str(v).rstrip("/").split("/")[-1],
)
def test_concept_scheme(filename: str, scheme: str, kind: URIRef | None) -> None:
    g = load(filename)
    assert (URIRef(scheme), RDF.type, SKOS.ConceptScheme) in g
    found = concepts(g, scheme)
    assert found, f"no concept in {scheme}"
    for local, concept in found.items():
        assert (concept, RDF.type, SKOS.Concept) in g, concept
        if kind is not None:
            assert (concept, RDF.type, kind) in g, concept
        assert len(english(g, concept, SKOS.prefLabel)) == 1, (
            f"{concept} needs one skos:prefLabel@en"
        )
        assert len(english(g, concept, SKOS.definition)) == 1, (
            f"{concept} needs one skos:definition@en"
        )
        assert list(g.objects(concept, SKOS.notation)) == [Literal(local)], (
            f"{concept}: notation is its id"
        )
        for broader in g.objects(concept, SKOS.broader):
            assert (broader, SKOS.inScheme, URIRef(scheme)) in g
    all_concepts = {
        c for c in g.subjects(RDF.type, SKOS.Concept) if str(c).startswith(scheme)
    }
    assert all_concepts == set(found.values()), (
        "every concept of the namespace has skos:inScheme"
    )
    assert EXPECTED_IDS[scheme] <= set(found), (
        f"missing: {EXPECTED_IDS[scheme] - set(found)}"
    )


def test_event_types_required_by_builder() -> None:
    found = set(concepts(load("event-types.ttl"), namespaces.EVENT_TYPE))
    required = {
        "meeting",
        "report",
        "letter",
        "statement",
        "announcement",
        "moratorium",
        "policy-change",
        "study",
        "test",
        "deployment",
        "contract",
        "protest",
        "interview",
        "pitch",
    }
    assert required <= found


def test_cameo_matches() -> None:
    g = load("event-types.ttl")
    matches = {
        (str(s)[len(namespaces.EVENT_TYPE) :], str(o)[len(namespaces.CAMEO) :])
        for s, o in g.subject_objects(SKOS.closeMatch)
    }
    assert matches == {
        ("meeting", "040"),
        ("statement", "010"),
        ("announcement", "010"),
        ("request", "020"),
        ("demand", "100"),
        ("criticism", "111"),
        ("refusal", "120"),
        ("protest", "140"),
        ("investigation", "090"),
        ("contract", "061"),
        ("partnership", "061"),
    }
    for code in EXPECTED_IDS[namespaces.CAMEO]:
        (definition,) = english(g, CAMEO[code], SKOS.definition)
        assert definition.startswith(f"CAMEO event code {code}: ")


# --- (e) SHACL shapes ---------------------------------------------------------------------------

DATA_PREFIXES = (
    "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in namespaces.PREFIXES.items())
    + """
@prefix ex: <https://w3id.org/timeline/case/test/> .
"""
)

CONFORMING = (
    DATA_PREFIXES
    + """
ex:e1 a tl:Event ;
    rdfs:label "Company pitches its product to police" ;
    dcterms:description "The vendor presented the product to the police department." ;
    tl:eventType et:pitch , et:meeting ;
    tl:edtf "2018-06" ;
    tl:dateLabel "June 2018" ;
    sem:hasEarliestBeginTimeStamp "2018-06-01"^^xsd:date ;
    sem:hasLatestBeginTimeStamp "2018-06-30"^^xsd:date ;
    sem:hasEarliestEndTimeStamp "2018-06-01"^^xsd:date ;
    sem:hasLatestEndTimeStamp "2018-06-30"^^xsd:date ;
    tl:sortDate "2018-06-01"^^xsd:date ;
    time:unitType time:unitMonth ;
    tl:dateApproximate false ;
    tl:dateUncertain false ;
    tl:dateBasis basis:stated ;
    tl:hasParticipation ex:e1-p1 , ex:e1-p2 ;
    tl:involves ex:acme , ex:pd ;
    sem:hasActor ex:acme , ex:pd ;
    tl:hasMention ex:m1 .

ex:e1-p1 a tl:Participation ; tl:participant ex:acme ; tl:role role:vendor .
ex:e1-p2 a tl:Participation ; tl:participant ex:pd ; tl:role role:customer .

ex:acme a tl:Company ;
    rdfs:label "Acme" ;
    skos:altLabel "Acme Inc." ;
    tl:wikidata "Q95" ;
    owl:sameAs wd:Q95 ;
    tl:hasMention ex:m1 .
ex:pd a tl:PoliceDepartment ; rdfs:label "Springfield Police Department" .
ex:spokesperson a tl:Person ; rdfs:label "Jane Doe" ; tl:memberOf ex:acme .

ex:c1 a tl:Claim ;
    tl:claimant ex:spokesperson ;
    tl:onBehalfOf ex:acme ;
    tl:about ex:e1 ;
    tl:stance stance:defends ;
    tl:claimText "The product was used responsibly." ;
    tl:sourceReliability "B" ;
    tl:informationCredibility 3 ;
    tl:hasMention ex:m1 .

ex:m1 a tl:Mention ;
    oa:hasBody ex:e1 ;
    oa:hasTarget ex:m1-target ;
    tl:inSource ex:a1 .
ex:m1-target a oa:SpecificResource ;
    oa:hasSource ex:a1 ;
    oa:hasSelector ex:m1-quote , ex:m1-pos .
ex:m1-quote a oa:TextQuoteSelector ; oa:exact "pitched" ; oa:prefix "Acme " ; oa:suffix " its" .
ex:m1-pos a oa:TextPositionSelector ;
    oa:start "5"^^xsd:nonNegativeInteger ;
    oa:end "12"^^xsd:nonNegativeInteger .

ex:a1 a tl:SourceArticle ;
    schema:headline "Acme pitched its product to police" ;
    schema:text "Acme pitched its product to police in June 2018." ;
    tl:sha256 "0000000000000000000000000000000000000000000000000000000000000000" ;
    schema:inLanguage "en" ;
    schema:url <https://example.org/news/acme> ;
    schema:datePublished "2018-07-02"^^xsd:date .
"""
)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return load("shapes.ttl")


def validate(turtle: str) -> tuple[bool, str]:
    from pyshacl import validate as shacl_validate

    data = Graph().parse(data=turtle, format="turtle")
    conforms, _report, text = shacl_validate(
        data, shacl_graph=shapes_graph(), inference="none"
    )
    return conforms, text


def test_shapes_use_core_shacl_only() -> None:
    g = shapes_graph()
    assert not list(g.subject_objects(SH.sparql))
    assert not list(g.subjects(RDF.type, SH.SPARQLConstraint))


def test_shapes_are_documented() -> None:
    g = shapes_graph()
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 8
    for shape in node_shapes:
        assert (shape, SH.name, None) in g and (shape, SH.description, None) in g, shape
    property_shapes = set(g.objects(None, SH.property))
    assert property_shapes
    for prop in property_shapes:
        assert (prop, SH.message, None) in g, (
            f"property shape for {g.value(prop, SH.path)} has no sh:message"
        )


def test_conforming_graph_conforms() -> None:
    conforms, text = validate(CONFORMING)
    assert conforms, text


def _without(turtle: str, line: str) -> str:
    assert line in turtle
    return turtle.replace(line, "")


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            _without(
                CONFORMING, '    rdfs:label "Company pitches its product to police" ;\n'
            ),
            "rdfs:label",
        ),
        (
            _without(CONFORMING, '    tl:sortDate "2018-06-01"^^xsd:date ;\n'),
            "tl:sortDate",
        ),
        (
            CONFORMING.replace(
                "sem:hasActor ex:acme , ex:pd ;\n    tl:hasMention ex:m1 .",
                "sem:hasActor ex:acme , ex:pd .",
            ),
            "tl:hasMention",
        ),
        (
            CONFORMING.replace(
                "tl:role role:customer", "tl:role role:customer , role:host"
            ),
            "tl:role",
        ),
        (CONFORMING.replace('tl:sha256 "0000', 'tl:sha256 "XXXX'), "tl:sha256"),
        (
            CONFORMING.replace('tl:sourceReliability "B"', 'tl:sourceReliability "G"'),
            "tl:sourceReliability",
        ),
        (
            CONFORMING.replace(
                "tl:informationCredibility 3", "tl:informationCredibility 7"
            ),
            "tl:informationCredibility",
        ),
        (
            CONFORMING.replace('oa:start "5"^^xsd:nonNegativeInteger', "oa:start 5"),
            "oa:start",
        ),
        (CONFORMING.replace('oa:end "12"', 'oa:end "3"'), "oa:start"),
        (CONFORMING.replace('oa:exact "pitched"', 'oa:exact ""'), "oa:exact"),
        (
            CONFORMING.replace("tl:stance stance:defends", "tl:stance et:meeting"),
            "tl:stance",
        ),
        (
            CONFORMING.replace(
                "time:unitType time:unitMonth", "time:unitType time:unitHour"
            ),
            "time:unitType",
        ),
        (
            CONFORMING.replace(
                'ex:pd a tl:PoliceDepartment ; rdfs:label "Springfield Police Department" .',
                "ex:pd a tl:PoliceDepartment .",
            ),
            "rdfs:label",
        ),
    ],
    ids=[
        "event-without-label",
        "event-without-sort-date",
        "event-without-mention",
        "two-roles",
        "bad-sha256",
        "bad-reliability",
        "bad-credibility",
        "start-not-nonnegative-integer",
        "end-before-start",
        "empty-quote",
        "stance-from-wrong-scheme",
        "unknown-unit",
        "entity-without-label",
    ],
)
def test_non_conforming_graph_fails(broken: str, expected: str) -> None:
    assert broken != CONFORMING
    conforms, text = validate(broken)
    assert not conforms
    assert expected in text


def test_readme_example_parses_and_conforms() -> None:
    readme = (ONTOLOGY / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```turtle\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks, "no turtle example in ontology/README.md"
    for block in blocks:
        graph = Graph().parse(data=block, format="turtle")
        used = {
            t
            for triple in graph
            for t in triple
            if isinstance(t, URIRef) and t.startswith(TL_NS)
        }
        assert used <= {tl(n) for n in NAMES}
        conforms, text = validate(block)
        assert conforms, text


# --- (f) JSON-LD context --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def context() -> dict:
    return json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))[
        "@context"
    ]


def _iri_of(value: str | dict) -> str:
    return value if isinstance(value, str) else value["@id"]


def test_context_declares_the_project_prefixes() -> None:
    ctx = context()
    assert ctx["@version"] == 1.1
    for prefix, namespace in namespaces.PREFIXES.items():
        assert ctx.get(prefix) == namespace, prefix


def test_context_values_use_declared_prefixes() -> None:
    ctx = context()
    for term, value in ctx.items():
        if term.startswith("@") or term in namespaces.PREFIXES:
            continue
        candidates = [_iri_of(value)]
        if isinstance(value, dict) and value.get("@type") not in (
            None,
            "@id",
            "@vocab",
        ):
            candidates.append(value["@type"])
        for iri in candidates:
            if iri.startswith("@"):
                continue
            prefix, sep, _local = iri.partition(":")
            assert sep, f"{term}: {iri} is not a compact IRI"
            assert prefix in namespaces.PREFIXES, (
                f"{term}: prefix {prefix!r} is not declared"
            )


def test_context_covers_every_tl_term() -> None:
    ctx = context()
    mapped = {
        _iri_of(v)
        for k, v in ctx.items()
        if not k.startswith("@") and k not in namespaces.PREFIXES
    }
    missing = [n for n in NAMES if f"tl:{n}" not in mapped]
    assert missing == []
    object_properties = set(load("timeline.ttl").subjects(RDF.type, OWL.ObjectProperty))
    for term, value in ctx.items():
        if isinstance(value, dict) and value["@id"].startswith("tl:"):
            is_object = tl(value["@id"][3:]) in object_properties
            assert (value.get("@type") == "@id") == is_object, term


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_context_expands_to_expected_triples() -> None:
    doc = {
        "@context": context(),
        "@id": "https://w3id.org/timeline/case/test/e1",
        "@type": "Event",
        "label": "A meeting",
        "eventType": "et:meeting",
        "earliestBegin": "2018-06-01",
        "unitType": "time:unitMonth",
        "hasParticipation": {
            "participant": "https://w3id.org/timeline/case/test/acme",
            "hasRole": "role:initiator",
        },
        "hasMention": {
            "@id": "https://w3id.org/timeline/case/test/m1",
            "hasTarget": {
                "hasSelector": {"@type": "TextPositionSelector", "start": 5, "end": 12}
            },
        },
    }
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    e1 = URIRef("https://w3id.org/timeline/case/test/e1")
    assert (e1, RDF.type, tl("Event")) in g
    assert (e1, RDFS.label, Literal("A meeting")) in g
    assert (e1, tl("eventType"), ET.meeting) in g
    assert (
        e1,
        SEM.hasEarliestBeginTimeStamp,
        Literal("2018-06-01", datatype=XSD.date),
    ) in g
    assert (e1, TIME.unitType, TIME.unitMonth) in g
    participation = g.value(e1, tl("hasParticipation"))
    assert (participation, tl("role"), URIRef(namespaces.ROLE + "initiator")) in g
    assert (None, OA.start, Literal("5", datatype=XSD.nonNegativeInteger)) in g


def test_every_tl_term_the_code_names_is_in_the_vocabulary() -> None:
    # The other direction of the check above: a tl: term written in a module, a saved query or a page
    # script must be one of namespaces.TL_TERMS (and so defined by the ontology).
    root = Path(__file__).resolve().parents[1] / "timeline"
    used: dict[str, str] = {}
    for path in [*root.rglob("*.py"), *root.rglob("*.rq")]:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"\btl:([A-Za-z]\w*)", text) + re.findall(r'\bTL \+ "(\w+)"', text):
            used.setdefault(name, str(path.relative_to(root)))
    assert len(used) > 30
    unknown = {name: where for name, where in used.items() if name not in namespaces.TL_TERMS}
    assert unknown == {}
