"""SHACL validation of a built dataset with pySHACL (core constraints only)."""

from __future__ import annotations

from pathlib import Path

from timeline import resources
from timeline.errors import Problem


def validate_dataset(dataset, where: dict[str, tuple[str, int]], shapes: Path | None = None) -> list[Problem]:
    """Violations as problems; ``where`` maps a node IRI to the (file, line) it came from."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    data = Graph()
    for graph in dataset.graphs():
        if not str(graph.identifier).endswith("/graph/ontology"):
            data += graph
    shapes_graph = Graph().parse(shapes or resources.ontology_dir() / "shapes.ttl", format="turtle")
    conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", advanced=False)
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        message = report.value(result, SH.resultMessage) or report.value(result, SH.sourceConstraintComponent)
        path, line = where.get(focus, ("(built graph)", 0))
        problems.append(Problem(path, line, f"SHACL: <{focus}>: {message}"))
    return sorted(problems)
