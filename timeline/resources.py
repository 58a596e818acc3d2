"""Where the ontology, the sample case and the saved queries live.

In a source checkout (or an editable install) they are next to the package; a
wheel installs ``ontology/`` and ``sources/`` under ``<prefix>/share/timeline``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLE_CASE = "rekognition"


def _share_candidates() -> list[Path]:
    roots = [PACKAGE_DIR.parent, Path(sys.prefix) / "share" / "timeline"]
    base = getattr(sys, "base_prefix", sys.prefix)
    roots.append(Path(base) / "share" / "timeline")
    user_base = os.environ.get("PYTHONUSERBASE")
    if user_base:
        roots.append(Path(user_base) / "share" / "timeline")
    return roots


def _find(name: str) -> Path:
    for root in _share_candidates():
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory of the timeline package")


def ontology_dir() -> Path:
    return _find("ontology")


def sources_dir() -> Path:
    return _find("sources")


def sample_case_dir() -> Path:
    return sources_dir() / SAMPLE_CASE


def queries_dir() -> Path:
    return PACKAGE_DIR / "query" / "queries"


def default_out_dir() -> Path:
    """Where ``timeline build`` writes: ``$TIMELINE_OUT`` or ``./out``."""
    return Path(os.environ.get("TIMELINE_OUT", "out"))
