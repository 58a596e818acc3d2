"""The SHACL shapes compiled to SPARQL find the same violations as pySHACL, on broken copies of the sample."""

from __future__ import annotations

import re

import pytest
from rdflib import Dataset

from timeline import shacl

CASE = "https://w3id.org/timeline/case/rekognition/"
EVENT = f"<{CASE}event/amazon-ice-meeting-2018-06>"
TL = "https://w3id.org/timeline/ns#"


@pytest.fixture(scope="module")
def sample(sample_graph) -> str:
    return sample_graph.read_text(encoding="utf-8")


def _drop(pattern: str):
    return lambda text: "".join(line for line in text.splitlines(keepends=True) if not re.search(pattern, line))


def _add(line: str):
    return lambda text: text + line + f" <{CASE}graph/curated> .\n"


def _sub(pattern: str, replacement: str):
    def edit(text: str) -> str:
        changed, n = re.subn(pattern, replacement, text, count=1)
        assert n == 1, pattern
        return changed
    return edit


# Each edit breaks one kind of constraint; the shape it breaks is in the comment.
BROKEN = {
    "missing label (minCount)": _drop(re.escape(EVENT) + r" <http://www\.w3\.org/2000/01/rdf-schema#label> "),
    "two EDTF dates (maxCount)": _add(f'{EVENT} <{TL}edtf> "2019"'),
    "ill-formed date (datatype)": _sub(re.escape(EVENT) + r' (<' + re.escape(TL) + r'sortDate>) "2018-06-01"',
                                       EVENT + r' \1 "June 2018"'),
    "literal for a concept (nodeKind)": _sub(re.escape(EVENT) + r" (<" + re.escape(TL) + r"dateBasis>) <[^>]+>",
                                             EVENT + r' \1 "stated"'),
    "foreign concept (pattern)": _sub(re.escape(EVENT) + r" (<" + re.escape(TL) + r"dateBasis>) <[^>]+>",
                                      EVENT + r" \1 <https://example.org/basis/stated>"),
    "empty claim text (minLength)": _sub(r'(<' + re.escape(CASE) + r'claim/amazon-washington-county-minutes> <'
                                         + re.escape(TL) + r'claimText>) "[^"]+"', r'\1 ""'),
    "second month range (maxCount)": _add(f"{EVENT} <{TL}monthRange> "
                                          "<https://w3id.org/timeline/ns/date-range/2018-01-01/2018-12-31>"),
    "bad month range (pattern)": _sub(re.escape(EVENT) + r" (<" + re.escape(TL) + r"monthRange>) <[^>]+>",
                                      EVENT + r" \1 <https://w3id.org/timeline/ns/date-range/June>"),
    "unit outside the list (in)": _sub(re.escape(EVENT) + r" (<http://www\.w3\.org/2006/time#unitType>) <[^>]+>",
                                       EVENT + r" \1 <http://www.w3.org/2006/time#unitWeek>"),
    "credibility 9 (maxInclusive)": _add(f'<{CASE}claim/amazon-washington-county-minutes> '
                                         f'<{TL}informationCredibility> "9"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    "participation without a role (minCount)": _drop(re.escape(f"<{CASE}event/amazon-ice-meeting-2018-06/")
                                                      + r"participation/1> <" + re.escape(TL) + r"role> "),
}


def _found(violations) -> set[tuple[str, str]]:
    return {(v.focus, v.path) for v in violations}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_both_engines_report_the_same_violations(sample, name) -> None:
    broken = BROKEN[name](sample)
    assert broken != sample
    by_sparql = shacl.validate_nquads(broken.encode("utf-8"))
    dataset = Dataset()
    dataset.parse(data=broken, format="nquads")
    by_pyshacl = shacl.validate_pyshacl(dataset)
    assert by_sparql, name  # the edit is caught
    assert _found(by_sparql) == _found(by_pyshacl)
    assert all(v.message for v in by_sparql)


def test_the_sample_has_no_violations(sample) -> None:
    assert shacl.validate_nquads(sample.encode("utf-8")) == []
