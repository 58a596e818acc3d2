"""The docs cannot drift from the code (in the spirit of sqlite-utils' tests/test_docs.py): cog regenerates
docs/cli.md and docs/python-api.md, and every command, option and saved query must be in docs/cli.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import timeline
from timeline.cli import cli
from timeline.query.saved_queries import saved_queries

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"
API_DOC = ROOT / "docs" / "python-api.md"
REGENERATE = "cog -r docs/cli.md docs/python-api.md"


def command_paths(group: click.Group, path: tuple[str, ...] = ("timeline",)) -> Iterator[tuple[tuple[str, ...],
                                                                                             click.Command]]:
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from command_paths(command, (*path, name))


COMMANDS = [(("timeline",), cli), *command_paths(cli)]
PARAMS = [(path, param) for path, command in COMMANDS for param in command.params
          if not getattr(param, "hidden", False)]


def _param_id(path: tuple[str, ...], param: click.Parameter) -> str:
    return " ".join(path) + " " + ("/".join(param.opts) if isinstance(param, click.Option) else param.name)


def _listed_options(section: str) -> set[str]:
    """The option names of a --help text's "Options:" list (not those its prose mentions)."""
    listing = section.split("\nOptions:\n", 1)[-1] if "\nOptions:\n" in section else ""
    names = re.findall(r"^  (-\S.*?)(?:  |$)", listing, flags=re.M)  # the first column: "-o, --output PATH"
    return {word for column in names for word in re.split(r"[ ,/]+", column) if word.startswith("-")}


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """docs/cli.md by its '## ' headings: 'timeline build' -> that command's text."""
    parts = re.split(r"^## (.+)$", CLI_DOC.read_text(encoding="utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_generated_docs_are_up_to_date() -> None:
    # Another terminal width than the one they were made at: the docs must not depend on it.
    env = {**os.environ, "COLUMNS": "123"}
    done = subprocess.run([sys.executable, "-m", "cogapp", "--check", "--check-fail-msg", f"run: {REGENERATE}",
                           str(CLI_DOC), str(API_DOC)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"stale docs; {REGENERATE}\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_documented(sections: dict[str, str], path: tuple[str, ...],
                                     command: click.Command) -> None:
    name = " ".join(path)
    assert f"Usage: {name} " in sections.get(name, ""), f"docs/cli.md has no section for {name}; {REGENERATE}"
    assert command.help, f"{name} has no help text"


@pytest.mark.parametrize(("path", "param"), PARAMS, ids=[_param_id(p, param) for p, param in PARAMS])
def test_every_option_and_argument_is_documented(sections: dict[str, str], path: tuple[str, ...],
                                                 param: click.Parameter) -> None:
    section = sections.get(" ".join(path), "")
    if isinstance(param, click.Option):
        listed = _listed_options(section)
        for opt in param.opts + param.secondary_opts:
            assert opt in listed, f"{opt} of {' '.join(path)} is not in docs/cli.md; {REGENERATE}"
    else:
        usage = section.split("Usage: ", 1)[-1].split("\n", 1)[0]
        assert re.search(rf"\b{re.escape(param.human_readable_name)}\b", usage), \
            f"argument {param.human_readable_name} of {' '.join(path)} is not in docs/cli.md; {REGENERATE}"


@pytest.mark.parametrize("name", list(saved_queries()))
def test_every_saved_query_is_documented(sections: dict[str, str], name: str) -> None:
    assert re.search(rf"^{re.escape(name)}: ", sections.get("Saved queries", ""), flags=re.M), \
        f"saved query {name} is not in docs/cli.md; {REGENERATE}"


@pytest.mark.parametrize("name", timeline.__all__)
def test_every_public_name_is_documented(name: str) -> None:
    assert f"\n### {name}\n" in API_DOC.read_text(encoding="utf-8"), f"{name} is not in docs/python-api.md"


LAYOUT_DOC = ROOT / "docs" / "layout.md"


def test_the_layout_page_describes_every_module_and_no_other() -> None:
    package = ROOT / "timeline"
    modules = {str(p.relative_to(package)) for p in package.rglob("*.py")}
    modules -= {"__main__.py"} | {m for m in modules if m.endswith("/__init__.py") and m.count("/") == 1
                                   and (package / m).read_text(encoding="utf-8").count("\n") <= 2}
    described = set(re.findall(r"^\| `([\w/]+\.py)` \|", LAYOUT_DOC.read_text(encoding="utf-8"), re.M))
    assert modules - described == set(), "modules missing from docs/layout.md"
    assert described - modules == set(), "docs/layout.md describes modules that do not exist"


def test_the_layout_page_shows_the_enforced_layers() -> None:
    config = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    layers = re.search(r"type = layers\nlayers =\n((?:    .+\n)+)", config).group(1)
    shown = re.search(r"## The rule.*?```\n(.*?)```", LAYOUT_DOC.read_text(encoding="utf-8"), re.S).group(1)
    assert [line.strip() for line in layers.splitlines()] == [line.strip() for line in shown.splitlines()]
