"""The package's structure holds: layers import only downward, no module imports itself back, and the
CLI starts without loading what only its commands need (in the spirit of click's tests/test_imports.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]

# What `import timeline.cli` may load, so that `timeline --help` stays fast: the commands import the
# rest (rdflib, pyoxigraph, networkx, ...) when they run.
CLI_MODULES = {"timeline", "timeline.cli", "timeline.errors"}
HEAVY = {"rdflib", "pyoxigraph", "networkx", "pyshacl", "yaml", "numpy", "scipy", "pyvis", "jinja2", "grimp", "spacy",
         "trafilatura"}


def test_the_layers_contract_is_kept() -> None:
    # The contract is [importlinter:contract:layers] in setup.cfg: each layer imports only from layers below.
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports; "
                           "raise SystemExit(lint_imports(config_filename='setup.cfg', no_cache=True))"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 kept, 0 broken" in done.stdout


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph("timeline")
    imports = nx.DiGraph()
    for module in graph.modules:
        imports.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(imports))
    assert cycles == [], cycles


def test_importing_the_cli_loads_only_what_help_needs() -> None:
    code = "import json, sys, timeline.cli; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert {m for m in loaded if m == "timeline" or m.startswith("timeline.")} == CLI_MODULES
    assert not {m.split(".")[0] for m in loaded} & HEAVY
