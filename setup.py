"""Build hook: the built package carries its front-end libraries (vis-timeline, vis-network, the editor's CodeMirror).

``setup.cfg`` holds the project's configuration; this file adds one step to two commands:

- ``sdist`` puts the vendored files into the release tree (``timeline/render/web/vendor/``), next to
  ``package.json`` and ``package-lock.json`` (MANIFEST.in), so a wheel built from the sdist, which is
  what ``python -m build`` does, needs no Node.js;
- ``build_py`` copies them into the wheel: from the source tree's ``timeline/render/web/vendor/`` when it is
  complete (an unpacked sdist), else from a fresh ``npm ci`` of the committed lockfile, run in a
  temporary directory so the checkout (and its own ``node_modules``) is left alone.

Which files: those ``timeline/assets.py`` lists (the pages' scripts and styles) plus each listed package's
``package.json`` and license texts. Node.js is needed only to build. Editable installs skip the step: they
read the repository's ``node_modules`` (``npm ci``). Nothing third-party is committed to git.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import ExecError, SetupError

HERE = Path(__file__).resolve().parent
VENDOR = Path("timeline", "render", "web", "vendor")
LOCK_FILES = ("package.json", "package-lock.json")
EDITOR_SOURCE = Path("timeline", "render", "web", "editor-bundle.mjs")  # esbuild's entry for the query editor

sys.path.insert(0, str(HERE))
from timeline.render import assets  # noqa: E402  (stdlib only: the one list of files the pages need and quote)

NO_NODE = ("building timeline needs Node.js and npm (https://nodejs.org): the pages' front-end "
           "libraries are copied into the package from `npm ci` of package-lock.json; install Node.js, or install "
           "timeline from a wheel or sdist that already carries them")


def needed_files(root: Path) -> list[Path]:
    """Paths, relative to ``root`` (a node_modules or a vendored copy), of every file the package must carry."""
    missing = assets.missing(root)
    if missing:
        raise SetupError(f"{root}: missing {', '.join(missing)}; the lists in timeline/assets.py "
                         "and package-lock.json disagree: update one of them")
    lacking = assets.editor_missing(root)
    if lacking:
        raise SetupError(f"{root}: missing {', '.join(lacking)}; the query editor's bundle is made by "
                         "`npm run bundle:editor` (package.json), which `npm ci` runs")
    files = [Path(a.package, a.path) for a in (*assets.ASSETS, *assets.EDITOR_ASSETS)]
    for package in (*assets.NOTICE_PACKAGES, *assets.EDITOR_BUNDLED):
        files.append(Path(package, "package.json"))
        files += [Path(package, f.name) for f in assets.license_files(root / package)]
    return files


def npm_ci(workdir: Path) -> Path:
    """``npm ci`` of the committed lockfile in ``workdir``; returns its ``node_modules``."""
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError(NO_NODE)
    for name in LOCK_FILES:
        shutil.copyfile(HERE / name, workdir / name)
    (workdir / EDITOR_SOURCE).parent.mkdir(parents=True)
    shutil.copyfile(HERE / EDITOR_SOURCE, workdir / EDITOR_SOURCE)
    # --prefer-offline: the npm cache of an earlier `npm ci` is enough; --ignore-scripts: we only copy files.
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]
    print("timeline: " + " ".join(["npm", *command[1:]]) + " (front-end libraries for the package)", file=sys.stderr)
    done = subprocess.run(command, cwd=workdir, stdout=sys.stderr)
    if done.returncode != 0:
        raise ExecError(f"`npm ci` failed (exit {done.returncode}) while building timeline; "
                        "its output is above")
    # --ignore-scripts skipped our own prepare script too: bundle the query editor here (esbuild, from the lockfile).
    done = subprocess.run([npm, "run", "--silent", "bundle:editor"], cwd=workdir, stdout=sys.stderr)
    if done.returncode != 0:
        raise ExecError(f"`npm run bundle:editor` failed (exit {done.returncode}) while building timeline; "
                        "its output is above")
    return workdir / "node_modules"


def vendor_into(target: Path) -> None:
    """Copy the front-end files into ``target`` (``timeline/render/web/vendor``), laid out like node_modules."""
    source = HERE / VENDOR
    if assets.is_complete(source) and not assets.editor_missing(source):
        copy_tree(source, target)
        return
    with tempfile.TemporaryDirectory(prefix="timeline-npm-") as tmp:
        copy_tree(npm_ci(Path(tmp)), target)


def copy_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)  # exactly the needed files, nothing left from an earlier build
    for rel in needed_files(source):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            vendor_into(Path(self.build_lib) / VENDOR)


class Sdist(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        vendor_into(Path(base_dir) / VENDOR)


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
