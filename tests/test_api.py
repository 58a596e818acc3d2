"""The public Python API: every name in ``timeline.__all__`` imports from ``timeline`` itself, on first use
(PEP 562), so that ``import timeline`` stays as light as ``timeline --help`` needs."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import timeline

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"rdflib", "pyoxigraph", "networkx", "pyshacl", "yaml", "numpy", "scipy", "pyvis", "jinja2"}


def _loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("name", timeline.__all__)
def test_every_public_name_resolves(name: str) -> None:
    obj = getattr(timeline, name)
    assert obj.__name__ == name and obj.__module__.startswith("timeline.")
    assert name in dir(timeline)
    namespace: dict[str, object] = {}
    exec(f"from timeline import {name}", namespace)
    assert namespace[name] is obj


def test_no_public_name_is_a_submodule_name() -> None:
    # Importing timeline.X sets the attribute X to the module: a public X would change with what ran before.
    submodules = {module.name for module in pkgutil.iter_modules(timeline.__path__)}
    assert not submodules & set(timeline.__all__)
    assert len(set(timeline.__all__)) == len(timeline.__all__)


def test_import_timeline_loads_nothing_else() -> None:
    loaded = _loaded_after("import timeline")
    assert {m for m in loaded if m.startswith("timeline")} == {"timeline"}
    assert not {m.split(".")[0] for m in loaded} & HEAVY


def test_a_public_name_loads_only_its_module() -> None:
    loaded = _loaded_after("from timeline import TimelineError")
    assert {m for m in loaded if m.startswith("timeline")} == {"timeline", "timeline.errors"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        timeline.no_such_name  # noqa: B018
    assert not hasattr(timeline, "no_such_name")
    with pytest.raises(ImportError):
        exec("from timeline import no_such_name", {})


def test_submodules_still_import_from_the_package() -> None:
    # The notebooks' `from timeline import pipeline, resources`: __getattr__ must let these fall through.
    namespace: dict[str, object] = {}
    exec("from timeline import pipeline, resources", namespace)
    assert namespace["pipeline"].__name__ == "timeline.pipeline"
    assert namespace["resources"].__name__ == "timeline.resources"


def test_the_python_api_example_runs(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", doc, re.S)
    assert example, "docs/python-api.md opens with a ```python example"
    done = subprocess.run([sys.executable, "-c", example[1]], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.match(r"\d+ events with ICE, the first: \S", done.stdout)
    assert "->" in done.stdout
