"""Third-party front-end code, inlined into every HTML output at render time.

Nothing third-party is committed: ``package.json`` + ``package-lock.json``
pin the versions. Building the sdist or wheel runs ``npm ci`` from the
lockfile and copies the files listed here, with each package's
``package.json`` and license texts, into the package (``timeline/render/web/vendor/``,
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
#: A package's license texts are its files whose names start with one of these (any case): the build copies
#: them all and the page quotes them all (see :func:`license_files`).
LICENSE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE")
#: The query editor (``/editor`` of ``timeline serve``): CodeMirror 6 and the SPARQL mode of @codemirror/legacy-modes,
#: bundled by esbuild into one script by the npm ``prepare`` script (``npm ci`` runs it; see package.json). It is
#: not a package of its own: it sits under ``node_modules/.timeline/``, and the build copies it like the others.
EDITOR_JS = Asset(".timeline", "codemirror-sparql.min.js", "js")
#: The packages the editor bundle holds (esbuild's metafile lists them): their notices go into the editor page.
EDITOR_BUNDLED = ("@codemirror/commands", "@codemirror/language", "@codemirror/legacy-modes", "@codemirror/lint",
                  "@codemirror/state", "@codemirror/streamparser", "@codemirror/view", "@lezer/common",
                  "@lezer/highlight", "@marijn/find-cluster-break", "crelt", "style-mod", "w3c-keyname")
#: What the build copies for the editor; checked apart from :data:`ASSETS`, so a ``node_modules`` without the
#: bundle (``npm ci --ignore-scripts``) still draws the timeline and graph pages.
EDITOR_ASSETS = (EDITOR_JS,)
#: Where the build puts the files, inside the package.
VENDOR_DIR = resources.PACKAGE_DIR / "render" / "web" / "vendor"
#: npm's directory in a source checkout (or editable install), after ``npm ci``.
REPO_NODE_MODULES = resources.PACKAGE_DIR.parent / "node_modules"
ENV = "TIMELINE_NODE_MODULES"


def missing(root: Path) -> list[str]:
    """What ``root`` (a ``node_modules`` or the vendored copy) lacks for the pages: each package whose notice a
    page quotes that has no ``package.json``, and each asset (``package/path``) of the packages that are there."""
    lacking = []
    for package in NOTICE_PACKAGES:
        if not (root / package / "package.json").is_file():
            lacking.append(package)
        else:
            lacking += [f"{a.package}/{a.path}" for a in ASSETS
                        if a.package == package and not (root / a.package / a.path).is_file()]
    return lacking


def editor_missing(root: Path) -> list[str]:
    """What ``root`` lacks for the query editor: the bundle, and each bundled package's ``package.json``."""
    lacking = [f"{a.package}/{a.path}" for a in EDITOR_ASSETS if not (root / a.package / a.path).is_file()]
    return lacking + [p for p in EDITOR_BUNDLED if not (root / p / "package.json").is_file()]


def editor_root() -> Path:
    """The ``node_modules`` (or vendored copy) holding the editor bundle, found as :func:`node_modules` finds the
    others; a clear error if none has it."""
    override = os.environ.get(ENV)
    candidates = (Path(override),) if override else (VENDOR_DIR, REPO_NODE_MODULES, Path.cwd() / "node_modules")
    for candidate in candidates:
        if not editor_missing(candidate):
            return candidate
    raise TimelineError("the query editor's bundle (CodeMirror) is missing: in a clone of the repository run "
                        "`npm ci`, whose prepare script bundles it (or `npm run bundle:editor`); else reinstall "
                        f"timeline from a wheel or sdist (looked in {', '.join(str(c) for c in candidates)})")


@lru_cache(maxsize=1)
def read_editor() -> str:
    """The editor bundle's text, safe to inline in ``<script>``."""
    path = editor_root() / EDITOR_JS.package / EDITOR_JS.path
    text = path.read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script") if "</script" in text.lower() else text


@lru_cache(maxsize=1)
def editor_notices() -> tuple[str, ...]:
    """The license notice of every package the editor bundle holds."""
    root = editor_root()
    return tuple(_notice_at(root, package) for package in EDITOR_BUNDLED)


def is_complete(root: Path) -> bool:
    """Whether ``root`` has every asset and every noticed package's metadata: a page can be drawn from it."""
    return not missing(root)


def license_files(package_dir: Path) -> list[Path]:
    """Every license text of one package (LICENSE*, LICENCE*, COPYING*, NOTICE*), sorted by name: what the build
    copies and what a page's notice quotes, so the two never disagree."""
    if not package_dir.is_dir():
        return []
    return sorted(f for f in package_dir.iterdir() if f.is_file() and f.name.upper().startswith(LICENSE_PREFIXES))


def _summary(lacking: list[str]) -> str:
    return ", ".join(lacking[:4]) + (f" and {len(lacking) - 4} more" if len(lacking) > 4 else "")


def node_modules() -> Path:
    """The directory holding the front-end packages: ``$TIMELINE_NODE_MODULES``, vendored, the repo's, the cwd's."""
    override = os.environ.get(ENV)
    if override:
        # An explicit override that does not work is an error, not a silent fall-back to another copy.
        lacking = missing(Path(override))
        if not lacking:
            return Path(override)
        raise TimelineError(f"{ENV}={override}: this node_modules lacks {_summary(lacking)} (run `npm ci` in the "
                            f"timeline repository and point {ENV} at its node_modules, or unset it)")
    candidates = (VENDOR_DIR, REPO_NODE_MODULES, Path.cwd() / "node_modules")
    for candidate in candidates:
        if is_complete(candidate):
            return candidate
    # A copy that is there but incomplete (an old `npm ci`, a damaged install) is named with what it lacks.
    partial = next((f"; {c} lacks {_summary(missing(c))}" for c in candidates if c.is_dir()), "")
    raise TimelineError("the front-end libraries (vis-timeline, vis-network and the packages they bundle) are "
                        "missing: reinstall timeline from a wheel or sdist, or build it where Node.js and npm are "
                        f"installed; in a clone of the repository, run `npm ci` (or set {ENV} to a node_modules "
                        f"directory){partial}")


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
    return _notice_at(node_modules(), package)


def _notice_at(node_root: Path, package: str) -> str:
    root = node_root / package
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    texts = [path.read_text(encoding="utf-8").strip() for path in license_files(root)]
    header = f"{meta['name']} {meta['version']} — license: {meta.get('license', 'see text')}"
    return header + ("\n\n" + "\n\n".join(texts) if texts else "")


def version(package: str) -> str:
    return json.loads((node_modules() / package / "package.json").read_text(encoding="utf-8"))["version"]
