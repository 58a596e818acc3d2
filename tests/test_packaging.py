"""The built package carries its front-end libraries (vis-timeline, vis-network) and their licenses.

These tests are ``slow`` (about 25 s; deselect with ``-m 'not slow'``). They build the sdist and, from it,
the wheel (``python -m build``, as a user or a release would), install the wheel into a fresh virtualenv
with no Node.js on PATH, run the installed ``timeline`` from an empty directory and open the pages it
renders in Chromium. They build from a copy of the checkout's files, so the checkout gets no ``build/``
or ``*.egg-info``. Where an installed or checked-out timeline looks for the libraries: test_assets.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from browser import visit

from timeline.render import assets

REPO = Path(__file__).resolve().parents[1]
VENDOR = "timeline/render/web/vendor"
LICENSE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE)[^/]*$", re.IGNORECASE)

pytestmark = pytest.mark.slow


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)


def no_node_path(tmp: Path) -> str:
    """A PATH with no node or npm on it (an empty directory)."""
    empty = tmp / "empty-bin"
    empty.mkdir(exist_ok=True)
    path = str(empty)
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    return path


def without_timeline_env(path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TIMELINE_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = path
    return env


def locked(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` with the lock applied to the isolated build environments too (a ``-c`` would not reach them)."""
    return {**(os.environ if env is None else env), "PIP_CONSTRAINT": str(REPO / "constraints.txt")}


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory) -> Path:
    """The checkout's files (tracked, and new ones not ignored) copied: what a fresh clone with this work holds."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout of timeline")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, check=True)
    target = tmp_path_factory.mktemp("clone") / "timeline"
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO / name).is_file():  # a tracked file deleted in the work tree is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    assert not (target / "node_modules").exists() and not (target / VENDOR).exists()
    return target


@pytest.fixture(scope="module")
def sdist(source_copy, tmp_path_factory) -> Path:
    assert shutil.which("npm"), "building the sdist needs Node.js and npm on PATH"
    out = tmp_path_factory.mktemp("sdist")
    done = run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(source_copy)], env=locked())
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("timeline-*.tar.gz")
    return path


@pytest.fixture(scope="module")
def wheel(sdist, tmp_path_factory) -> Path:
    """The wheel built from the unpacked sdist with no Node.js on PATH: the sdist carries what it needs."""
    work = tmp_path_factory.mktemp("wheel")
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+
            tar.extractall(work / "src", filter="data")
        else:
            tar.extractall(work / "src")
    (unpacked,) = (work / "src").iterdir()
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(unpacked)],
               env=locked(without_timeline_env(no_node_path(work))))
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (work / "dist").glob("timeline-*.whl")
    return path


def lock_version(package: str) -> str:
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def test_sdist_carries_the_lockfile_and_the_vendored_libraries(sdist) -> None:
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        vendored_meta = json.load(tar.extractfile(f"{sdist.name[:-7]}/{VENDOR}/vis-network/package.json"))
    assert {"package.json", "package-lock.json", "setup.py", "MANIFEST.in"} <= names
    assert {f"{VENDOR}/{a.package}/{a.path}" for a in (*assets.ASSETS, *assets.EDITOR_ASSETS)} <= names
    assert "timeline/render/web/editor-bundle.mjs" in names  # the editor bundle's source
    assert vendored_meta["version"] == lock_version("vis-network")  # installed from the lockfile
    assert not [name for name in names if "node_modules" in name]


def test_wheel_carries_the_libraries_and_their_licenses_and_nothing_else_of_npm(wheel) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{VENDOR}/{a.package}/{a.path}" for a in (*assets.ASSETS, *assets.EDITOR_ASSETS)} <= names
    for package in (*assets.NOTICE_PACKAGES, *assets.EDITOR_BUNDLED):
        assert f"{VENDOR}/{package}/package.json" in names
        assert [n for n in names if n.startswith(f"{VENDOR}/{package}/") and LICENSE.search(n)], package
    assert not [name for name in names if "node_modules" in name]
    # Only the listed files: no README, source maps or CommonJS builds of the npm packages.
    listed = {f"{VENDOR}/{a.package}/{a.path}" for a in (*assets.ASSETS, *assets.EDITOR_ASSETS)}
    others = {n for n in names if n.startswith(VENDOR + "/") and n not in listed}
    assert all(n.endswith("/package.json") or LICENSE.search(n) for n in others), sorted(others)


def test_building_without_node_or_vendored_files_fails_clearly(source_copy, tmp_path) -> None:
    copy = tmp_path / "timeline"
    shutil.copytree(source_copy, copy, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(copy)],
               env=locked(without_timeline_env(no_node_path(tmp_path))))
    assert done.returncode != 0
    assert "building timeline needs Node.js and npm" in done.stdout + done.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))


def fresh_venv(root: Path) -> Path:
    """A virtualenv that borrows this environment's installed dependencies (so installing needs no network)."""
    done = run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    assert done.returncode == 0, done.stderr
    python = root / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True)
    # Plain path lines: this environment's own .pth files (its editable timeline among them) are not run.
    Path(purelib.stdout.strip(), "_test_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return root


def test_installed_wheel_renders_both_pages_offline_without_node(wheel, tmp_path, browser) -> None:
    venv = fresh_venv(tmp_path / "venv")
    done = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir",
                str(wheel)])
    assert done.returncode == 0, done.stdout + done.stderr
    cwd = tmp_path / "elsewhere"  # unrelated to the repository: no node_modules, no sources/
    cwd.mkdir()
    env = without_timeline_env(os.pathsep.join([str(venv / "bin"), no_node_path(tmp_path)]))
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None

    def timeline(*args: str) -> str:
        done = run([str(venv / "bin" / "timeline"), *args], cwd=cwd, env=env)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
        return done.stdout

    where = run([str(venv / "bin" / "python"), "-c",
                 "from timeline.render import assets; print(assets.node_modules())"], cwd=cwd, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr  # the wheel's own copy
    editor = run([str(venv / "bin" / "python"), "-c", "from timeline.render import assets; "
                  "print(assets.editor_root(), 'TimelineEditor' in assets.read_editor())"], cwd=cwd, env=env)
    assert editor.stdout.split() == [where.stdout.strip(), "True"], editor.stdout + editor.stderr  # the query editor
    timeline("build")
    timeline("render", "timeline", "-o", "t.html")
    timeline("render", "graph", "-o", "g.html")

    page = (cwd / "t.html").read_text(encoding="utf-8")
    assert f"vis-timeline {lock_version('vis-timeline')} — license: " in page  # the notice, from the wheel
    assert "Permission is hereby granted" in page
    with visit(browser, (cwd / "t.html").as_uri(), wait_for="html.tl-ready") as v:
        count = v.page.inner_text("#tl-count")
        shown = re.fullmatch(r"(\d+) of (\d+) events shown", count)
        assert shown and shown[1] == shown[2] and int(shown[1]) > 0, count
        assert v.page.eval_on_selector_all(".vis-item[data-event]", "els => els.length") > 0
        assert (v.requests, v.console_errors, v.page_errors) == ([], [], [])
    with visit(browser, (cwd / "g.html").as_uri(), wait_for="html[data-graph-ready]") as v:
        drawn = v.page.evaluate("Object.keys(window.timelineGraph.body.nodes).length")
        assert drawn > 0 and drawn == v.page.evaluate("window.timelineGraph.body.data.nodes.length")
        assert (v.requests, v.console_errors, v.page_errors) == ([], [], [])
