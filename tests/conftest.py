# Shared fixtures: the bundled sample case, a writable copy of it, its built graph, and one headless Chromium per
# session.
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLE_CASE = Path(__file__).resolve().parents[1] / "sources" / "rekognition"


@pytest.fixture(scope="session")
def sample_case() -> Path:
    """The sample case in the repository: read it, never write to it."""
    assert (SAMPLE_CASE / "case.yaml").is_file(), SAMPLE_CASE
    return SAMPLE_CASE


@pytest.fixture
def case_copy(tmp_path: Path, sample_case: Path) -> Path:
    """A private copy of the sample case that a test may break."""
    target = tmp_path / "rekognition"
    shutil.copytree(sample_case, target)
    return target


@pytest.fixture(scope="session")
def sample_graph(tmp_path_factory, sample_case: Path) -> Path:
    """The sample case built once per session: ``graph.nq``, alone in its directory.

    Read it, never write to it or beside it: a test that changes a graph works on a copy in its own tmp_path.
    """
    from timeline import pipeline

    out = tmp_path_factory.mktemp("sample-graph") / "graph.nq"
    assert pipeline.build(sample_case, out).ok
    return out


@pytest.fixture(scope="module")
def store(sample_graph: Path):
    """The sample graph in pyoxigraph, once per test module (a module may define its own ``store``)."""
    from timeline.stores import open_store

    return open_store(sample_graph)


@pytest.fixture(scope="module")
def view(store):
    """The sample's view, once per test module: a test that changes it changes only its module's copy."""
    from timeline.views.model import load_view

    return load_view(store)


@pytest.fixture(scope="session")
def sample_quads(sample_graph: Path) -> int:
    """How many quads the sample build wrote (one per line of N-Quads): what every store must hold."""
    with sample_graph.open("rb") as f:
        return sum(1 for line in f if line.strip())


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (tests/browser.py opens pages in it)."""
    from browser import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _no_chosen_case(monkeypatch):
    """A user's $TIMELINE_CASE must not change what the tests read; tests that want one set it."""
    monkeypatch.delenv("TIMELINE_CASE", raising=False)
