"""Third-party front-end code, read from npm's ``node_modules`` at render time.

Nothing third-party is committed: ``package.json`` + ``package-lock.json``
pin the versions and ``npm ci`` installs them. Every HTML output inlines the
files it needs, with each package's license notice, so the page makes no
network request.

The ``node_modules`` directory is looked up in ``$TIMELINE_NODE_MODULES``, then
next to the package (a source checkout or editable install), then in the
working directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from timeline import resources
from timeline.errors import TimelineError


@dataclass(frozen=True)
class Asset:
    package: str
    path: str  # inside the package
    kind: str  # "js" or "css"


TIMELINE_JS = Asset("vis-timeline", "standalone/umd/vis-timeline-graph2d.min.js", "js")
TIMELINE_CSS = Asset("vis-timeline", "styles/vis-timeline-graph2d.min.css", "css")
NETWORK_JS = Asset("vis-network", "standalone/umd/vis-network.min.js", "js")
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE-MIT", "LICENSE.MIT.txt", "LICENSE-APACHE-2.0")


def node_modules() -> Path:
    candidates = []
    if os.environ.get("TIMELINE_NODE_MODULES"):
        candidates.append(Path(os.environ["TIMELINE_NODE_MODULES"]))
    candidates += [resources.PACKAGE_DIR.parent / "node_modules", Path.cwd() / "node_modules"]
    for candidate in candidates:
        if (candidate / "vis-timeline").is_dir() and (candidate / "vis-network").is_dir():
            return candidate
    raise TimelineError("the front-end libraries are not installed: run `npm ci` in the timeline repository "
                        "(or set TIMELINE_NODE_MODULES to a node_modules directory with vis-timeline and "
                        "vis-network)")


@lru_cache(maxsize=8)
def read(asset: Asset) -> str:
    path = node_modules() / asset.package / asset.path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{path}: cannot read front-end asset: {exc.strerror or exc}") from None
    # Inlined into <script>/<style>: a literal closing tag would end the element early.
    closing = "</script" if asset.kind == "js" else "</style"
    return text.replace(closing, "<\\/" + closing[2:]) if closing in text.lower() else text


@lru_cache(maxsize=8)
def notice(package: str) -> str:
    """``name version license`` plus the package's license text, for the page's notices."""
    root = node_modules() / package
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    texts = []
    for name in LICENSE_FILES:
        if (root / name).is_file():
            texts.append((root / name).read_text(encoding="utf-8").strip())
    header = f"{meta['name']} {meta['version']} — license: {meta.get('license', 'see text')}"
    return header + ("\n\n" + "\n\n".join(texts) if texts else "")


def version(package: str) -> str:
    return json.loads((node_modules() / package / "package.json").read_text(encoding="utf-8"))["version"]
