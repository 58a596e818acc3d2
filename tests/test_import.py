"""Bulk import (CSV, RDF), the synthetic case generator, and the date-window index."""

from __future__ import annotations

import hashlib
import random
import shutil
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import pipeline, resources
from timeline.case import tables
from timeline.case.loader import load_case
from timeline.errors import CaseInvalid
from timeline.graph import build
from timeline.query import saved_queries
from timeline.query.results import Term
from timeline.query.sparql import bind_values
from timeline.stores import open_store
from timeline.testing import cases as synthcase

SAMPLE = resources.sample_case_dir()
TODAY = date(2030, 1, 1)
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"

# The date-window query as it was before the month-range index: a FILTER on every event's bounds.
PLAIN_WINDOW_QUERY = """
SELECT ?event ?date ?label WHERE {
  ?event a tl:Event ;
         rdfs:label ?label ;
         tl:dateLabel ?date ;
         tl:sortDate ?sort .
  OPTIONAL { ?event sem:hasEarliestBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
  FILTER (!BOUND(?begin) || ?begin <= ?to)
  FILTER (!BOUND(?end) || ?end >= ?from)
}
ORDER BY ?sort ?event
"""

ARTICLE = """Acme Corp met officials of the Springfield Police Department in June 2018 to pitch its
face recognition service. The meeting was confirmed by a spokesperson. Later, in 2019, the department
signed a contract with Acme Corp, according to city records.
"""

ENTITIES_YAML = """
- id: acme
  type: company
  label: Acme Corp
  aliases: [Acme, Acme Corporation]
  wikidata: Q95
- id: springfield-pd
  type: police-department
  label: Springfield Police Department
- id: jane-doe
  type: person
  label: Jane Doe
  member_of: [acme]
  position: spokesperson
- id: example-news
  type: news-organization
  label: Example News
"""

EVENTS_YAML = """
- id: acme-pitch-2018-06
  type: [pitch, meeting]
  label: Acme pitches face recognition to Springfield police
  description: Acme Corp met the Springfield Police Department to pitch its face recognition service.
  date: 2018-06
  date_basis: stated
  participants:
    - {entity: acme, role: vendor}
    - {entity: springfield-pd, role: target}
  citations:
    - source: example-2019
      quote: "Acme Corp met officials of the Springfield Police Department in June 2018"
    - source: example-2019
      quote: "The meeting was confirmed by a spokesperson."
- id: springfield-contract-2019
  type: contract
  label: Springfield signs a contract with Acme
  description: The Springfield Police Department signed a contract with Acme Corp.
  date: "2019"
  date_basis: stated
  participants:
    - {entity: springfield-pd, role: customer}
    - {entity: acme, role: vendor}
  responds_to: [acme-pitch-2018-06]
  note: From city records.
  citations:
    - source: example-2019
      quote: "the department\\nsigned a contract with Acme Corp"
"""

ENTITIES_CSV = """id,type,label,aliases,wikidata,member_of,position
acme,company,Acme Corp,Acme; Acme Corporation,Q95,,
springfield-pd,police-department,Springfield Police Department,,,,
jane-doe,person,Jane Doe,,,acme,spokesperson
example-news,news-organization,Example News,,,,
"""

EVENTS_CSV = (
    "id,type,label,description,edtf,date_basis,actors,responds_to,note,source,quote\n"
    "acme-pitch-2018-06,pitch; meeting,Acme pitches face recognition to Springfield police,"
    "Acme Corp met the Springfield Police Department to pitch its face recognition service.,2018-06,stated,"
    "acme:vendor; springfield-pd:target,,,example-2019,"
    "Acme Corp met officials of the Springfield Police Department in June 2018\n"
    "acme-pitch-2018-06,,,,,,,,,example-2019,The meeting was confirmed by a spokesperson.\n"
    "springfield-contract-2019,contract,Springfield signs a contract with Acme,"
    "The Springfield Police Department signed a contract with Acme Corp.,2019,stated,"
    "springfield-pd:customer; acme:vendor,acme-pitch-2018-06,From city records.,example-2019,"
    '"the department\nsigned a contract with Acme Corp"\n'
)


def _article(case_dir: Path, ident: str = "example-2019", text: str = ARTICLE) -> None:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (case_dir / "articles").mkdir(parents=True, exist_ok=True)
    (case_dir / "articles" / f"{ident}.md").write_text(
        f"---\nid: {ident}\ntitle: Springfield police and Acme\npublisher: example-news\npublished: '2019-03-02'\n"
        f"language: en\nurl: https://example.org/news/{ident}\nsha256: {sha}\n---\n{text}", encoding="utf-8")


def small_case(root: Path, kind: str) -> Path:
    """A two-event case as YAML (kind='yaml') or as CSV (kind='csv'), same records."""
    case_dir = root / kind
    case_dir.mkdir(parents=True)
    (case_dir / "case.yaml").write_text("id: small\ntitle: A small case\n", encoding="utf-8")
    _article(case_dir)
    (case_dir / "claims.yaml").write_text("", encoding="utf-8")
    if kind == "yaml":
        (case_dir / "entities.yaml").write_text(ENTITIES_YAML, encoding="utf-8")
        (case_dir / "events.yaml").write_text(EVENTS_YAML, encoding="utf-8")
    else:
        (case_dir / "entities.csv").write_text(ENTITIES_CSV, encoding="utf-8")
        (case_dir / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    return case_dir


def content(record) -> dict:
    """A record's fields without where it was read from."""
    skip = {"path", "line", "field_lines"}
    out = {}
    for f in fields(record):
        if f.name in skip:
            continue
        value = getattr(record, f.name)
        if f.name == "participants":
            value = [(p.entity, p.role) for p in value]
        elif f.name == "citations":
            value = [(c.source, c.quote, c.start, c.end) for c in value]
        out[f.name] = value
    return out


def errors(problems) -> list[str]:
    return [str(p) for p in problems if p.is_error]


def csv_case(tmp_path: Path, events: str, entities: str = ENTITIES_CSV) -> Path:
    case_dir = small_case(tmp_path, "csv")
    (case_dir / "events.csv").write_text(events, encoding="utf-8")
    (case_dir / "entities.csv").write_text(entities, encoding="utf-8")
    return case_dir


# ------------------------------------------------------------------ CSV import


def test_csv_import_gives_the_same_events_and_entities_as_the_equivalent_yaml(tmp_path) -> None:
    yaml_dir, csv_dir = small_case(tmp_path, "yaml"), small_case(tmp_path, "csv")
    yaml_report = pipeline.check(yaml_dir, today=TODAY)
    assert yaml_report.ok, errors(yaml_report.problems)
    case, problems = load_case(csv_dir)  # the articles and claims; no records yet
    events, entities, problems = tables.import_csv(csv_dir / "events.csv", csv_dir / "entities.csv", case,
                                                     today=TODAY)
    assert errors(problems) == []
    assert [content(e) for e in events] == [content(e) for e in yaml_report.case.events.values()]
    assert [content(e) for e in entities] == [content(e) for e in yaml_report.case.entities.values()]
    assert events[0].citations[1].line == 3 and events[1].line == 4  # CSV lines
    assert events[0].path == csv_dir / "events.csv"
    csv_report = pipeline.check(csv_dir, today=TODAY)
    assert csv_report.ok and csv_report.nquads == yaml_report.nquads  # the same graph, byte for byte


def test_the_sample_case_round_trips_through_csv_to_the_same_graph(tmp_path) -> None:
    original = pipeline.check(SAMPLE)
    assert original.ok
    target = tmp_path / "rekognition"
    shutil.copytree(SAMPLE / "articles", target / "articles")
    shutil.copy(SAMPLE / "case.yaml", target / "case.yaml")
    shutil.copy(SAMPLE / "claims.yaml", target / "claims.yaml")
    tables.write_entities_csv(original.case.entities.values(), target / "entities.csv")
    tables.write_events_csv(original.case.events.values(), target / "events.csv")
    report = pipeline.check(target)
    assert errors(report.problems) == []
    assert [content(e) for e in report.case.events.values()] == [content(e) for e in original.case.events.values()]
    assert report.nquads == original.nquads
    assert {p.message for p in report.warnings} == {p.message for p in original.warnings}


def test_a_bad_edtf_date_names_the_csv_line(tmp_path) -> None:
    bad = EVENTS_CSV.replace(",2019,stated,", ",2019-13,stated,")
    case, problems = tables.load_case_with_csv(csv_case(tmp_path, bad))
    assert any(p.path.endswith("events.csv") and p.line == 4 and "column 'edtf' is not a valid date" in p.message
               and "month 13 does not exist" in p.message for p in problems), problems


START_END_CSV = (
    "id,type,label,description,start,end,date_basis,actors,source,quote\n"
    "acme-pitch-2018-06,pitch,Acme pitches,Acme met the police.,2018-06,2018-08,stated,acme:vendor,"
    "example-2019,Acme Corp met officials\n"
    "springfield-contract-2019,contract,A contract,A contract was signed.,2019,,stated,acme:vendor,"
    "example-2019,signed a contract\n"
)


def test_start_and_end_columns_make_an_interval_or_a_date(tmp_path) -> None:
    case, problems = tables.load_case_with_csv(csv_case(tmp_path, START_END_CSV))
    assert errors(problems) == []
    span = case.events["acme-pitch-2018-06"].date
    assert span.edtf == "2018-06/2018-08" and span.latest_end == date(2018, 8, 31)
    assert case.events["springfield-contract-2019"].date.edtf == "2019"
    both = START_END_CSV.replace("start,end,", "edtf,start,end,").replace(",2018-06,2018-08,", ",2018,2018-06,2018-08,")
    both = both.replace(",2019,,stated", ",,2019,,stated")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "b", both))
    assert any(p.line == 2 and "either in column 'edtf' or in 'start'/'end'" in p.message for p in problems)
    end_only = START_END_CSV.replace(",2018-06,2018-08,", ",,2018-08,")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "c", end_only))
    assert any(p.line == 2 and "column 'end' needs a 'start'" in p.message for p in problems)


def test_an_unknown_entity_names_the_csv_line_and_suggests_a_close_id(tmp_path) -> None:
    bad = EVENTS_CSV.replace("springfield-pd:customer", "springfeld-pd:customer")
    report = pipeline.check(csv_case(tmp_path, bad), today=TODAY)
    assert not report.ok
    (problem,) = report.errors
    assert problem.path.endswith("events.csv") and problem.line == 4
    assert "participant 'springfeld-pd' is not a defined entity (did you mean 'springfield-pd'?)" in problem.message


def test_a_quote_not_in_its_article_names_the_csv_line_and_the_closest_passage(tmp_path) -> None:
    bad = EVENTS_CSV.replace("The meeting was confirmed by a spokesperson.",
                             "The meeting was confirmed by the spokesperson.")
    report = pipeline.check(csv_case(tmp_path, bad), today=TODAY)
    (problem,) = report.errors
    assert problem.path.endswith("events.csv") and problem.line == 3
    assert "quote not found in example-2019; closest passage" in problem.message
    assert "The meeting was confirmed by a spokesperson." in problem.message


def test_csv_shape_errors_name_the_line(tmp_path) -> None:
    text = EVENTS_CSV.replace("acme:vendor; springfield-pd:target", "acme vendor; springfield-pd:target")
    text = text.replace("id,type,", "id,typ,")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path, text))
    messages = [(p.line, p.message) for p in problems if p.path.endswith("events.csv")]
    assert any(line == 1 and "unknown column 'typ' (did you mean 'type'?)" in m for line, m in messages)
    assert any(line == 1 and "missing required column(s): type" in m for line, m in messages)
    text = EVENTS_CSV.replace("acme:vendor; springfield-pd:target", "acme vendor; springfield-pd:target")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "b", text))
    assert any(p.line == 2 and "'acme vendor' is not ENTITY:ROLE" in p.message for p in problems)
    text = EVENTS_CSV.replace(",example-2019,The meeting was", ",,The meeting was")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "c", text))
    assert any(p.line == 3 and "column 'source' is empty" in p.message for p in problems)


def test_csv_rows_are_stripped_except_the_quote_and_skip_blank_lines_and_unknown_columns(tmp_path) -> None:
    path = tmp_path / "events.csv"
    path.write_text('id,Label , extra,quote,source\n'
                    ' e1 ,  A label ,x,"  spaces kept  ", s1\n'
                    ' , ,,,\n'  # blank: only spaces
                    'e2,short\n'
                    'e3,a,b,c,d,too many\n', encoding="utf-8")
    sheet = tables._Sheet(path)
    sheet.read()
    rows = list(sheet.rows(("id", "label", "quote", "source"), ("id",), tables._Progress(None, 4)))
    assert rows == [(2, {"id": "e1", "label": "A label", "quote": "  spaces kept  ", "source": "s1"}),
                    (4, {"id": "e2", "label": "short"})]
    assert [(p.line, p.message) for p in sheet.problems] == [
        (1, "unknown column 'extra'; the columns are id, label, quote, source"),
        (5, "row has 6 cells but the header names 5 columns")]


def test_duplicate_ids_are_reported_with_the_first_definition(tmp_path) -> None:
    entities = ENTITIES_CSV + "acme,company,Acme Again,,,,\n"
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path, EVENTS_CSV, entities))
    assert any(p.path.endswith("entities.csv") and p.line == 6 and "duplicate id 'acme'" in p.message
               and "entities.csv:2" in p.message for p in problems), problems
    # An event id already used by an entity.
    clash = EVENTS_CSV.replace("springfield-contract-2019,contract", "jane-doe,contract")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "b", clash))
    assert any(p.path.endswith("events.csv") and p.line == 4 and "duplicate id 'jane-doe'" in p.message
               and "entities.csv:4" in p.message for p in problems), problems
    # A further row with the same id may only add a citation.
    conflict = EVENTS_CSV.replace("acme-pitch-2018-06,,,,,,", "acme-pitch-2018-06,,Another label,,,,")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "c", conflict))
    assert any(p.line == 3 and "column 'label' differs from the event's first row (line 2)" in p.message
               for p in problems), problems
    # The same citation twice.
    twice = EVENTS_CSV.replace("The meeting was confirmed by a spokesperson.",
                               "Acme Corp met officials of the Springfield Police Department in June 2018")
    _case, problems = tables.load_case_with_csv(csv_case(tmp_path / "d", twice))
    assert any(p.line == 3 and "the same citation is given twice" in p.message for p in problems), problems


def test_a_yaml_and_a_csv_record_with_the_same_id_clash(tmp_path) -> None:
    case_dir = small_case(tmp_path, "yaml")
    first_event = EVENTS_CSV.splitlines()[:2]
    (case_dir / "events.csv").write_text("\n".join(first_event) + "\n", encoding="utf-8")
    _case, problems = tables.load_case_with_csv(case_dir)
    assert any(p.path.endswith("events.csv") and p.line == 2 and "duplicate id 'acme-pitch-2018-06'" in p.message
               and "events.yaml" in p.message for p in problems), problems


def test_progress_is_reported_until_done(tmp_path) -> None:
    case_dir = csv_case(tmp_path, EVENTS_CSV)
    case, _ = load_case(case_dir)
    calls: list[tuple[int, int]] = []
    tables.import_csv(case_dir / "events.csv", case_dir / "entities.csv", case,
                        progress=lambda done, total: calls.append((done, total)), today=TODAY)
    total = 4 + 4  # data lines of entities.csv and events.csv (one quoted cell spans two lines)
    assert calls and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    big = tmp_path / "big"
    synthcase.write_synthetic_case(big, 600)
    seen: list[tuple[int, int]] = []
    tables.load_case_with_csv(big, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1] and all(t == seen[-1][1] for _, t in seen)


def test_a_csv_case_builds_to_a_file(tmp_path) -> None:
    case_dir = csv_case(tmp_path, EVENTS_CSV)
    report = pipeline.build(case_dir, tmp_path / "out" / "graph.nq")
    checked = pipeline.check(case_dir)
    assert report.output.read_bytes() == checked.nquads and report.counts()["events"] == 2
    assert report.quads == checked.quads == checked.nquads.count(b"\n") and report.nquads == b""  # not held twice
    assert pipeline.build(case_dir, tmp_path / "plain.nq", shacl=False).quads == checked.quads
    with pytest.raises(CaseInvalid):
        pipeline.build(csv_case(tmp_path / "bad", EVENTS_CSV.replace("acme:vendor", "acme:seller")),
                       tmp_path / "bad.nq")
    assert not (tmp_path / "bad.nq").exists()


# ------------------------------------------------------------------ RDF import


@pytest.fixture(scope="module")
def sample_nquads(sample_graph) -> Path:
    return sample_graph


def test_rdf_import_of_the_sample_graph_passes_unchanged(sample_nquads) -> None:
    assert pipeline.import_rdf([sample_nquads]) == sample_nquads.read_bytes()


TURTLE_EVENT = """@prefix tl: <https://w3id.org/timeline/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix et: <https://w3id.org/timeline/ns/event-type/> .
@prefix role: <https://w3id.org/timeline/ns/role/> .
@prefix event: <https://w3id.org/timeline/case/rekognition/event/> .

event:imported-2019-02 a tl:Event ;
    rdfs:label "An imported meeting" ;
    dcterms:description "An event imported from Turtle." ;
    tl:inCase <https://w3id.org/timeline/case/rekognition/> ;
    tl:eventType et:meeting ;
    tl:edtf "2019-02" ;
    tl:dateLabel "February 2019" ;
    tl:sortDate "2019-02-01"^^xsd:date ;
    sem:hasEarliestBeginTimeStamp "2019-02-01"^^xsd:date ;
    sem:hasLatestEndTimeStamp "2019-02-28"^^xsd:date ;
    tl:hasParticipation <https://w3id.org/timeline/case/rekognition/event/imported-2019-02/participation/1> ;
    tl:hasMention <https://w3id.org/timeline/case/rekognition/mention/event/imported-2019-02/1> .

<https://w3id.org/timeline/case/rekognition/event/imported-2019-02/participation/1> a tl:Participation ;
    tl:participant <https://w3id.org/timeline/case/rekognition/entity/amazon> ;
    tl:role role:vendor .
"""


def test_rdf_import_puts_default_graph_triples_in_the_curated_graph_and_indexes_the_dates(tmp_path) -> None:
    path = tmp_path / "event.ttl"
    path.write_text(TURTLE_EVENT, encoding="utf-8")
    data, problems = pipeline.import_rdf_report([path], shacl=False)
    assert errors(problems) == []
    text = data.decode()
    curated = "<https://w3id.org/timeline/case/rekognition/graph/curated> ."
    assert f'<https://w3id.org/timeline/case/rekognition/event/imported-2019-02> ' \
           f'<http://www.w3.org/2000/01/rdf-schema#label> "An imported meeting" {curated}' in text
    assert ("<https://w3id.org/timeline/ns#monthRange> "
            f"<https://w3id.org/timeline/ns/date-range/2019-02-01/2019-02-28> {curated}") in text


def test_rdf_import_of_a_broken_file_fails_naming_the_file(tmp_path, sample_nquads) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(TURTLE_EVENT.replace('    rdfs:label "An imported meeting" ;\n', ""), encoding="utf-8")
    with pytest.raises(CaseInvalid) as caught:
        pipeline.import_rdf([sample_nquads, broken])
    problems = [p for p in caught.value.problems if p.is_error]
    assert problems and all(p.path.endswith("broken.ttl") for p in problems)
    assert any("rdfs:label" in p.message or "label" in p.message for p in problems)
    assert any(p.line == 10 for p in problems)  # where the event is written

    syntax = tmp_path / "syntax.ttl"
    syntax.write_text(TURTLE_EVENT.replace('"February 2019" ;', '"February 2019" ;;;x'), encoding="utf-8")
    with pytest.raises(CaseInvalid) as caught:
        pipeline.import_rdf([syntax])
    (problem,) = caught.value.problems
    assert problem.path.endswith("syntax.ttl") and problem.line == 16 and "not valid Turtle" in problem.message

    unknown = tmp_path / "unknown.ttl"
    unknown.write_text(TURTLE_EVENT.replace("tl:edtf", "tl:edft"), encoding="utf-8")
    with pytest.raises(CaseInvalid) as caught:
        pipeline.import_rdf([unknown])
    assert any(p.path.endswith("unknown.ttl") and p.line == 15 and "tl:edft is not a term of the ontology "
               "(did you mean 'edtf'?)" in p.message for p in caught.value.problems)

    orphan = tmp_path / "orphan.nt"
    orphan.write_text("<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n")
    with pytest.raises(CaseInvalid) as caught:
        pipeline.import_rdf([orphan])
    assert "outside a named graph" in caught.value.problems[0].message
    assert pipeline.import_rdf([orphan], graph="http://example.org/g").endswith(b"<http://example.org/g> .\n")


# ------------------------------------------------------------------ timeline import


def run_cli(*args: str):
    from click.testing import CliRunner

    from timeline.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


EXTRA_EVENTS_CSV = (
    "id,type,label,description,edtf,date_basis,actors,source,quote\n"
    "acme-confirms-2018,statement,A spokesperson confirms the meeting,"
    "A spokesperson confirmed the meeting.,2019-03-02,stated,jane-doe:speaker,example-2019,"
    "The meeting was confirmed by a spokesperson.\n"
)


def test_import_adds_csv_rows_to_the_case_and_builds_it(tmp_path) -> None:
    case_dir = small_case(tmp_path, "yaml")
    rows = tmp_path / "more-events.csv"
    rows.write_text(EXTRA_EVENTS_CSV, encoding="utf-8")
    out = tmp_path / "graph.nq"
    result = run_cli("import", str(rows), "--case", str(case_dir), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "imported 1 events, 0 entities" in result.output and f"built {out}" in result.output
    assert (case_dir / "events.csv").read_text(encoding="utf-8").count("acme-confirms-2018") == 1
    assert not (case_dir / "entities.csv").exists()  # no entities were imported
    # The rows are part of the case now: validate and build read them, and the graph has the event.
    report = pipeline.check(case_dir)
    assert errors(report.problems) == [] and "acme-confirms-2018" in report.case.events
    assert out.read_bytes() == report.nquads
    store = open_store(out)
    assert store.query("ASK { ?e dcterms:identifier 'acme-confirms-2018' ; a tl:Event }").boolean


def test_importing_the_same_rows_twice_is_refused_and_writes_nothing(tmp_path) -> None:
    case_dir = small_case(tmp_path, "yaml")
    rows = tmp_path / "more-events.csv"
    rows.write_text(EXTRA_EVENTS_CSV, encoding="utf-8")
    out = tmp_path / "graph.nq"
    assert run_cli("import", str(rows), "--case", str(case_dir), "-o", str(out)).exit_code == 0
    before, graph = tree(case_dir), out.read_bytes()
    again = run_cli("import", str(rows), "--case", str(case_dir), "-o", str(out))
    assert again.exit_code == 1
    assert f"{rows.name}:2: error: duplicate id 'acme-confirms-2018'" in again.output
    last = again.output.strip().splitlines()[-1]
    assert last == "timeline: error: import failed with 1 error(s); nothing was written"
    assert tree(case_dir) == before and out.read_bytes() == graph


def test_a_bad_csv_row_names_the_imported_file_and_line_and_nothing_is_written(tmp_path) -> None:
    case_dir = small_case(tmp_path, "yaml")
    rows = tmp_path / "bad.csv"
    rows.write_text(EXTRA_EVENTS_CSV.replace("The meeting was confirmed", "The meeting was denied"), encoding="utf-8")
    before = tree(case_dir)
    result = run_cli("import", str(rows), "--case", str(case_dir), "-o", str(tmp_path / "graph.nq"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.csv:2: error:" in result.output and "quote not found in example-2019; closest passage" in result.output
    assert tree(case_dir) == before and not (tmp_path / "graph.nq").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["{rows}"], "CSV import needs --case CASE"),
    (["{rows}", "{ttl}", "--case", "{case}"], "import CSV files (with --case) and RDF files in separate runs"),
    (["{case}/case.yaml"], "not a CSV or RDF file"),
    (["{tmp}/missing.csv", "--case", "{case}"], "missing.csv: no such file"),
    (["{ttl}", "--case", "{case}"], "--case is for CSV files"),
    (["{case}/events.csv", "--case", "{case}"], "already part of the case"),
])
def test_import_argument_errors_are_one_line(tmp_path, args, message) -> None:
    case_dir = small_case(tmp_path, "csv")
    rows, ttl = tmp_path / "rows.csv", tmp_path / "data.ttl"
    rows.write_text(EXTRA_EVENTS_CSV, encoding="utf-8")
    ttl.write_text(TURTLE_EVENT, encoding="utf-8")
    values = {"rows": rows, "ttl": ttl, "case": case_dir, "tmp": tmp_path}
    result = run_cli("import", *[a.format(**values) for a in args])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and message in result.output, result.output


def test_import_of_rdf_writes_a_queryable_graph_and_refuses_a_broken_file(tmp_path, sample_nquads) -> None:
    turtle = tmp_path / "sample.ttl"
    assert run_cli("export", "--graph", str(sample_nquads), "--format", "turtle", "-o", str(turtle)).exit_code == 0
    out = tmp_path / "imported.nq"
    result = run_cli("import", str(sample_nquads), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == sample_nquads.read_bytes()
    answer = run_cli("query", "actor-timeline", "--param", "actor=ICE", "--graph", str(out), "--format", "csv")
    assert answer.exit_code == 0 and "Amazon" in answer.output
    broken = tmp_path / "broken.ttl"
    broken.write_text(TURTLE_EVENT.replace('"February 2019" ;', '"February 2019" ;;;x'), encoding="utf-8")
    failed = run_cli("import", str(broken), "-o", str(out))
    assert failed.exit_code == 1 and "broken.ttl:16: error: not valid Turtle" in failed.output
    assert out.read_bytes() == sample_nquads.read_bytes()


def test_the_progress_bar_is_drawn_on_a_terminal(tmp_path) -> None:
    import os
    import subprocess
    import sys

    case_dir = synthcase.write_synthetic_case(tmp_path / "case", 300)
    (case_dir / "events.csv").rename(tmp_path / "events.csv")
    leader, follower = os.openpty()
    child = subprocess.Popen([sys.executable, "-m", "timeline", "import", str(tmp_path / "events.csv"), "--case",
                              str(case_dir), "-o", str(tmp_path / "graph.nq")],
                             stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    drawn = b""
    while True:  # read the terminal until the child closes it, so that it never blocks on a full buffer
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    child.stdout_data = child.stdout.read()
    child.wait(timeout=300)
    assert child.returncode == 0, drawn.decode(errors="replace")
    assert b"imported 300 events" in child.stdout_data
    assert b"reading CSV" in drawn and b"100%" in drawn and b"#" in drawn


# ------------------------------------------------------------------ synthetic cases


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory) -> Path:
    return synthcase.write_synthetic_case(tmp_path_factory.mktemp("synthetic") / "case", 200)


def test_a_synthetic_case_validates_and_builds(synthetic_dir) -> None:
    report = pipeline.check(synthetic_dir)
    assert errors(report.problems) == []
    assert report.counts()["events"] == 200 and report.counts()["sources"] <= 300
    assert report.nquads == synthcase.synthetic_nquads(200)
    case = report.case
    assert len({c.source for e in case.events.values() for c in e.citations}) == len(case.sources)
    assert all(1 <= len(e.citations) <= 3 for e in case.events.values())
    # like real coverage, an event is reported by articles published after it began
    assert not [p for p in report.problems if p.kind == "reported-before-it-happened"]
    units = {e.date.unit for e in case.events.values()}
    assert {"day", "month", "year"} <= units
    years = [e.date.sort_date.year for e in case.events.values()]
    assert 2010 <= min(years) and max(years) <= 2025


def test_the_built_graph_is_the_sample_dataset_in_rdflib_and_pyoxigraph() -> None:
    report = pipeline.check(SAMPLE)
    assert sum(1 for g in report.dataset.graphs() if len(g)) == report.graphs
    quads = list(report.dataset.quads((None, None, None, None)))
    assert len(quads) == report.quads and all(g is not None for *_t, g in quads)
    store = ox.Store()
    store.load(report.nquads, format=ox.RdfFormat.N_QUADS)
    assert len(store) == report.quads


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",))))
def test_any_text_is_written_as_an_n_quads_literal_both_parsers_read_back(text: str) -> None:
    from rdflib import Dataset

    line = f"<urn:s> <urn:p> {build.literal(text)} <urn:g> .\n"
    [quad] = list(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert quad.object.value == text
    ds = Dataset()
    ds.parse(data=line, format="nquads")
    assert [str(o) for _s, _p, o, _g in ds.quads()] == [text]


def test_generators_are_deterministic(tmp_path, synthetic_dir) -> None:
    again = synthcase.write_synthetic_case(tmp_path / "again", 200)
    files = sorted(p.relative_to(synthetic_dir) for p in synthetic_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (synthetic_dir / name).read_bytes() == (again / name).read_bytes(), name
    other = synthcase.write_synthetic_case(tmp_path / "other", 200, seed=8)
    assert (other / "events.csv").read_bytes() != (again / "events.csv").read_bytes()
    assert synthcase.synthetic_nquads(300) == synthcase.synthetic_nquads(300)
    assert synthcase.synthetic_nquads(300, seed=1) != synthcase.synthetic_nquads(300)


@pytest.fixture(scope="module")
def synthetic_graph(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("synthetic-graph") / "graph.nq"
    path.write_bytes(synthcase.synthetic_nquads(500))
    return path


def test_every_saved_query_runs_on_a_synthetic_graph(synthetic_graph) -> None:
    store = open_store(synthetic_graph)
    assert len(store) == synthetic_graph.read_bytes().count(b"\n")
    case = synthcase.synthetic_case(500)
    busiest = max(case.events.values(), key=lambda e: len(e.citations))
    actor = busiest.participants[0].entity
    params = {
        "actor-timeline": {"actor": actor}, "events-in-window": {"from": "2018-06", "to": "2018-06"},
        "event-sources": {"event": busiest.id}, "claims-about": {"subject": busiest.id},
        "source-says": {"source": busiest.citations[0].source}, "entities-by-type": {"type": "company"},
        "claims-by-claimant": {"claimant": actor}, "event-participants": {"event": busiest.id},
        "customers-and-prospects": {"vendor": actor},
    }
    answered = {}
    for name, saved in saved_queries.saved_queries().items():
        result = store.query(saved.text, saved_queries.bind(saved, params.get(name, {}), store), where=name)
        answered[name] = len(result.rows)
    assert answered["actor-timeline"] >= 1 and answered["events-in-window"] >= 1
    assert answered["event-sources"] == len(busiest.citations)
    assert answered["corroboration"] == 500 and answered["event-participants"] == len(busiest.participants)
    assert answered["co-participation"] >= 1 and answered["entities-by-type"] >= 1


# ------------------------------------------------------------------ the date-window index


def _windows(rng: random.Random, n: int) -> list[tuple[date, date]]:
    windows = [(date(2018, 6, 1), date(2018, 6, 30)), (date(2018, 5, 22), date(2018, 5, 22)),
               (date(1990, 1, 1), date(1999, 12, 31)), (date(2030, 1, 1), date(2031, 1, 1)),
               (date(2010, 1, 1), date(2025, 12, 31)), (date(2019, 12, 31), date(2020, 1, 1))]
    for _ in range(n):
        start = date(2008, 1, 1) + timedelta(days=rng.randint(0, 20 * 365))
        length = rng.choice([0, 0, 6, 30, 90, 365, 800, 3000])
        windows.append((start, start + timedelta(days=length)))
    return windows


def _same_answers(store, windows) -> int:
    indexed = saved_queries.find_saved("events-in-window").text
    compared = 0
    for start, end in windows:
        bindings = {"from": Term.literal(start.isoformat(), XSD_DATE), "to": Term.literal(end.isoformat(), XSD_DATE)}
        new = store.query(indexed, bindings, where="indexed")
        old = store.query(PLAIN_WINDOW_QUERY, bindings, where="plain")
        assert new.rows == old.rows, (start, end)
        compared += len(old.rows)
    return compared


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_the_indexed_window_query_answers_as_the_plain_filter_on_the_sample(sample_nquads, backend) -> None:
    store = open_store(sample_nquads, backend)
    windows = _windows(random.Random(3), 40 if backend == "oxigraph" else 12)  # rdflib is slow
    assert _same_answers(store, windows) > 100


def test_the_indexed_window_query_answers_as_the_plain_filter_on_a_synthetic_graph(tmp_path) -> None:
    path = tmp_path / "graph.nq"
    path.write_bytes(synthcase.synthetic_nquads(2000, seed=11))
    store = open_store(path)
    assert _same_answers(store, _windows(random.Random(5), 60)) > 2000


def test_the_index_covers_every_event_once(synthetic_graph) -> None:
    store = ox.Store()
    store.load(synthetic_graph.read_bytes(), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""SELECT ?e (COUNT(?r) AS ?n) WHERE { ?e a <https://w3id.org/timeline/ns#Event>
        OPTIONAL { ?e <https://w3id.org/timeline/ns#monthRange> ?r } } GROUP BY ?e HAVING (COUNT(?r) != 1)""",
                            use_default_graph_as_union=True))
    assert rows == []
    text = bind_values(saved_queries.find_saved("events-in-window").text, {})
    assert "rdfs:member ?range" in text


@pytest.fixture(scope="module")
def larger_synthetic_store(tmp_path_factory):
    """2,000 events: enough for index nodes with an open begin as well as an open end (opened once)."""
    path = tmp_path_factory.mktemp("larger-synthetic-graph") / "graph.nq"
    path.write_bytes(synthcase.synthetic_nquads(2000, seed=11))
    return open_store(path)


def _index_edge_windows(store) -> list[tuple[date, date]]:
    """Windows that start or end on the first or last day of an index node's first or last month, or the day
    just outside it, for nodes with an open begin, an open end and both bounds (the month-boundary cases)."""
    names = [r["r"].value.rpartition("/date-range/")[2] for r in store.query(
        "SELECT ?r WHERE { <https://w3id.org/timeline/ns/date-range/> rdfs:member ?r } ORDER BY ?r").rows]
    open_begin = [n for n in names if n.startswith("open/")]
    open_end = [n for n in names if n.endswith("/open") and not n.startswith("open/")]
    bounded = [n for n in names if "open" not in n]
    assert open_begin and open_end and len(bounded) > 20  # every kind of node is exercised
    windows = []
    for name in open_begin[:3] + open_end[:3] + bounded[::max(1, len(bounded) // 12)]:
        first, last = name.split("/")
        if first != "open":
            start = date.fromisoformat(first)
            month_end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            windows += [(start, start), (start - timedelta(days=1), start - timedelta(days=1)), (start, month_end),
                        (month_end, month_end), (month_end + timedelta(days=1), month_end + timedelta(days=40))]
        if last != "open":
            end = date.fromisoformat(last)
            windows += [(end, end), (end + timedelta(days=1), end + timedelta(days=1)), (end.replace(day=1), end),
                        (end.replace(day=1), end.replace(day=1)), (end - timedelta(days=400), end.replace(day=1))]
    return windows


def test_the_indexed_window_query_answers_as_the_plain_filter_on_month_boundaries(larger_synthetic_store) -> None:
    # A window whose first or last day is on the edge of an event's first or last month is where a test on
    # the index node's name (whole months) and the test on the event's exact bounds part ways.
    store = larger_synthetic_store
    windows = _index_edge_windows(store)
    assert len(windows) > 100
    assert _same_answers(store, windows) > 1000


def test_the_view_window_keeps_the_events_of_the_plain_filter_on_month_boundaries(larger_synthetic_store) -> None:
    from timeline.views.model import load_view

    store = larger_synthetic_store
    for start, end in _index_edge_windows(store)[::9]:
        bindings = {"from": Term.literal(start.isoformat(), XSD_DATE), "to": Term.literal(end.isoformat(), XSD_DATE)}
        plain = {r["event"].value.rpartition("/")[2] for r in store.query(PLAIN_WINDOW_QUERY, bindings).rows}
        assert {e.id for e in load_view(store, start, end).events} == plain, (start, end)
