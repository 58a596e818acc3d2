"""Where a render finds the front-end libraries: $TIMELINE_NODE_MODULES, the package's vendored copy, the
repository's node_modules, the working directory's; and what it says when they are nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import assets
from timeline.cli import cli


@pytest.fixture(autouse=True)
def _fresh_asset_cache():
    """Assets are cached per process: a test that moves them must not see (or leave) another test's copy."""
    assets.read.cache_clear()
    assets.notice.cache_clear()
    yield
    assets.read.cache_clear()
    assets.notice.cache_clear()


def fake_node_modules(root: Path, marker: str) -> Path:
    """A node_modules with every asset and notice package, each file saying ``marker``."""
    for asset in assets.ASSETS:
        path = root / asset.package / asset.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"/* {marker} */", encoding="utf-8")
    for package in assets.NOTICE_PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
        meta = {"name": package, "version": "0.0.0-" + marker, "license": "MIT"}
        (root / package / "package.json").write_text(json.dumps(meta), encoding="utf-8")
        (root / package / "LICENSE").write_text(f"{marker} license text", encoding="utf-8")
    return root


def test_override_wins_over_every_other_copy(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(assets, "VENDOR_DIR", fake_node_modules(tmp_path / "vendor", "vendored"))
    override = fake_node_modules(tmp_path / "dev" / "node_modules", "override")
    monkeypatch.setenv(assets.ENV, str(override))
    assert assets.read(assets.TIMELINE_JS) == "/* override */"
    assert assets.notice("vis-network").startswith("vis-network 0.0.0-override — license: MIT")


def test_vendored_copy_comes_before_the_repository_node_modules(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(assets.ENV, raising=False)
    monkeypatch.setattr(assets, "VENDOR_DIR", fake_node_modules(tmp_path / "vendor", "vendored"))
    monkeypatch.setattr(assets, "REPO_NODE_MODULES", fake_node_modules(tmp_path / "repo", "repo"))
    assert assets.read(assets.NETWORK_JS) == "/* vendored */"
    # The page's notice (name, version, license and its text) reads the vendored package.json and LICENSE.
    assert assets.notice("vis-timeline") == "vis-timeline 0.0.0-vendored — license: MIT\n\nvendored license text"
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "absent")  # an editable install has none
    assets.read.cache_clear()
    assert assets.read(assets.NETWORK_JS) == "/* repo */"


def render(graph: Path, out: Path):
    return CliRunner().invoke(cli, ["render", "timeline", "--graph", str(graph), "-o", str(out)])


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("timeline: error: "), result.stderr
    return lines[0]


def test_no_libraries_anywhere_says_how_to_fix_it(sample_graph, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(assets.ENV, raising=False)
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "absent")
    monkeypatch.setattr(assets, "REPO_NODE_MODULES", tmp_path / "absent")
    monkeypatch.chdir(tmp_path)
    line = one_error_line(render(sample_graph, tmp_path / "t.html"))
    assert "reinstall timeline" in line and "Node.js" in line  # a user
    assert "`npm ci`" in line  # a developer in a clone
    assert not (tmp_path / "t.html").exists()


def test_an_override_that_holds_no_libraries_is_an_error_not_ignored(sample_graph, tmp_path, monkeypatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(assets.ENV, str(tmp_path / "empty"))
    line = one_error_line(render(sample_graph, tmp_path / "t.html"))
    assert f"{assets.ENV}={tmp_path / 'empty'}" in line
    assert not (tmp_path / "t.html").exists()
