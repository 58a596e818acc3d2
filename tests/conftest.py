# Shared fixtures: the path of the bundled sample case, and a writable copy of it in tmp_path.
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
