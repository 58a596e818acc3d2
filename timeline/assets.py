"""Third-party front-end code, inlined into every HTML output at render time.

Nothing third-party is committed: ``package.json`` + ``package-lock.json``
pin the versions. Building the sdist or wheel runs ``npm ci`` from the
lockfile and copies the files listed here, with each package's
``package.json`` and license texts, into the package (``timeline/web/vendor/``,
laid out like ``node_modules``); see ``setup.py``. Every HTML output inlines
the files it needs, with each package's license notice, so the page makes no
network request.

The files are looked up in ``$TIMELINE_NODE_MODULES`` (an override for
development), then in the package's vendored copy (an installed wheel), then
in the repository's ``node_modules`` next to the package (a source checkout or
editable install, after ``npm ci``), then in the working directory's.

This module imports only the standard library and stdlib-only ``timeline``
modules: ``setup.py`` imports it at build time for the lists below.
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
#: Every file a page inlines: what the build copies into the package.
ASSETS = (TIMELINE_JS, TIMELINE_CSS, NETWORK_JS)
#: The packages vis-timeline's standalone build bundles (its peer dependencies, and xss's own): their notices
#: go into the timeline page with vis-timeline's.
TIMELINE_BUNDLED = ("@egjs/hammerjs", "component-emitter", "cssfilter", "keycharm", "moment",
                    "propagating-hammerjs", "uuid", "vis-data", "vis-util", "xss")
#: The packages vis-network's standalone build bundles (its peer dependencies): their notices go into the graph
#: page with vis-network's.
NETWORK_BUNDLED = ("@egjs/hammerjs", "component-emitter", "keycharm", "uuid", "vis-data", "vis-util")
#: Packages whose ``package.json`` and license texts the build copies, for the pages' notices.
NOTICE_PACKAGES = ("vis-timeline", "vis-network", *sorted(set(TIMELINE_BUNDLED) | set(NETWORK_BUNDLED)))
#: The license texts a notice quotes (the build copies every LICENSE*, COPYING* and NOTICE* file).
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE-MIT", "LICENSE.MIT.txt", "LICENSE-APACHE-2.0")
#: Where the build puts the files, inside the package.
VENDOR_DIR = resources.PACKAGE_DIR / "web" / "vendor"
#: npm's directory in a source checkout (or editable install), after ``npm ci``.
REPO_NODE_MODULES = resources.PACKAGE_DIR.parent / "node_modules"
ENV = "TIMELINE_NODE_MODULES"


def is_complete(root: Path) -> bool:
    """Whether ``root`` (a ``node_modules`` or the vendored copy) has every asset and the main packages' metadata."""
    return (all((root / a.package / a.path).is_file() for a in ASSETS)
            and all((root / p / "package.json").is_file() for p in {a.package for a in ASSETS}))


def node_modules() -> Path:
    """The directory holding the front-end packages: ``$TIMELINE_NODE_MODULES``, vendored, the repo's, the cwd's."""
    override = os.environ.get(ENV)
    if override:
        # An explicit override that does not work is an error, not a silent fall-back to another copy.
        if is_complete(Path(override)):
            return Path(override)
        raise TimelineError(f"{ENV}={override}: not a node_modules directory with vis-timeline and vis-network "
                            f"(run `npm ci` in the timeline repository and point {ENV} at its node_modules, "
                            f"or unset it)")
    for candidate in (VENDOR_DIR, REPO_NODE_MODULES, Path.cwd() / "node_modules"):
        if is_complete(candidate):
            return candidate
    raise TimelineError("the front-end libraries (vis-timeline, vis-network) are missing: reinstall timeline "
                        "from a wheel or sdist, or build it where Node.js and npm are installed; in a clone of "
                        f"the repository, run `npm ci` (or set {ENV} to a node_modules directory)")


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


@lru_cache(maxsize=16)
def notice(package: str) -> str:
    """``name version license`` plus the package's license text, for the page's notices."""
    root = node_modules() / package
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    texts = [(root / name).read_text(encoding="utf-8").strip() for name in LICENSE_FILES if (root / name).is_file()]
    header = f"{meta['name']} {meta['version']} — license: {meta.get('license', 'see text')}"
    return header + ("\n\n" + "\n\n".join(texts) if texts else "")


def version(package: str) -> str:
    return json.loads((node_modules() / package / "package.json").read_text(encoding="utf-8"))["version"]
