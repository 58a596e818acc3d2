"""Where a render finds the front-end libraries: $TIMELINE_NODE_MODULES, the package's vendored copy, the
repository's node_modules, the working directory's; and what it says when they are nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import cli
from timeline.render import assets


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


def test_a_notice_quotes_every_license_text_the_build_copies(tmp_path, monkeypatch) -> None:
    root = fake_node_modules(tmp_path / "nm", "fake")
    package = root / "vis-timeline"
    for name in ("LICENSE.Apache-2.0.txt", "COPYING", "notice.md", "README.md", "HISTORY.md"):
        (package / name).write_text(f"text of {name}", encoding="utf-8")
    (package / "LICENSES").mkdir()  # a directory, not a text
    assert [p.name for p in assets.license_files(package)] == ["COPYING", "LICENSE", "LICENSE.Apache-2.0.txt",
                                                                 "notice.md"]
    monkeypatch.setenv(assets.ENV, str(root))
    quoted = assets.notice("vis-timeline")
    assert all(f"text of {name}" in quoted for name in ("LICENSE.Apache-2.0.txt", "COPYING", "notice.md"))
    assert "README" not in quoted and "HISTORY" not in quoted


def test_the_real_vis_timeline_notice_includes_its_apache_license(monkeypatch) -> None:
    if not assets.is_complete(assets.REPO_NODE_MODULES):
        pytest.skip("no node_modules: run `npm ci`")
    monkeypatch.setenv(assets.ENV, str(assets.REPO_NODE_MODULES))
    quoted = assets.notice("vis-timeline")
    assert "Apache License" in quoted and "Version 2.0" in quoted  # LICENSE.Apache-2.0.txt, which the wheel carries
    assert "Permission is hereby granted" in quoted  # and the MIT one


def test_an_override_without_the_bundled_packages_names_what_is_missing(sample_graph, tmp_path, monkeypatch) -> None:
    root = fake_node_modules(tmp_path / "nm", "partial")
    for package in assets.NOTICE_PACKAGES:
        if package not in ("vis-timeline", "vis-network"):
            (root / package / "package.json").unlink()
    assert not assets.is_complete(root)
    monkeypatch.setenv(assets.ENV, str(root))
    line = one_error_line(render(sample_graph, tmp_path / "t.html"))
    assert f"{assets.ENV}={root}" in line and "@egjs/hammerjs" in line and "`npm ci`" in line
    assert "No such file" not in line
    assert not (tmp_path / "t.html").exists()


def test_a_partial_node_modules_is_named_when_nothing_complete_is_found(sample_graph, tmp_path,
                                                                       monkeypatch) -> None:
    monkeypatch.delenv(assets.ENV, raising=False)
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "absent")
    repo = fake_node_modules(tmp_path / "repo" / "node_modules", "old")
    (repo / "moment" / "package.json").unlink()  # an `npm ci` from before moment was a dependency
    monkeypatch.setattr(assets, "REPO_NODE_MODULES", repo)
    monkeypatch.chdir(tmp_path)
    line = one_error_line(render(sample_graph, tmp_path / "t.html"))
    assert f"{repo} lacks moment" in line and "`npm ci`" in line
    assert not (tmp_path / "t.html").exists()
