"""The README's two commands stay true: reproducible installs from the committed lock, and the first
command's output as the README shows it."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LOCK = ROOT / "constraints.txt"


def commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first, "README.md opens with a bash block of two commands"
    return [line for line in first[1].splitlines() if line.strip()]


def pins() -> dict[str, list[tuple[str, str]]]:
    """name -> [(version, marker)] from the lock."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            found.setdefault(_norm(requirement.name), []).append((spec.version, str(requirement.marker or "")))
    return found


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_both_readme_commands_install_from_the_lock() -> None:
    run, test = commands()
    # PIP_CONSTRAINT, not -c: it also pins what pip installs to build the package (setuptools, wheel)
    assert "PIP_CONSTRAINT=constraints.txt pip install ." in run
    assert "timeline build --pages" in run  # the main job: build, draw the pages, answer a question
    assert "timeline query " in run
    assert "PIP_CONSTRAINT=constraints.txt pip install -e '.[test]'" in test and "npm ci" in test and "pytest" in test
    build_system = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for requirement in re.findall(r'"([A-Za-z0-9_.-]+)[^"]*"', build_system.split("requires", 1)[1].split("]")[0]):
        assert _norm(requirement) in pins(), f"the build's {requirement} is not pinned in constraints.txt"


def test_the_lock_pins_every_dependency_of_the_test_environment_as_installed() -> None:
    """The suite runs against the locked versions: a release upstream cannot turn main red overnight."""
    locked = pins()
    wanted = [Requirement(r) for r in metadata.requires("timeline") or []]
    needed = [r for r in wanted if r.marker is None or r.marker.evaluate({"extra": "test"})]
    assert needed
    seen: set[str] = set()
    while needed:  # the whole tree under timeline[test]
        requirement = needed.pop()
        name = _norm(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        versions = [v for v, marker in locked.get(name, []) if not marker or Requirement(f"x; {marker}").marker
                    .evaluate()]
        assert versions, f"{requirement.name} is not pinned in constraints.txt"
        assert metadata.version(requirement.name) == versions[0], \
            f"{requirement.name} {metadata.version(requirement.name)} is installed, the lock pins {versions[0]}"
        for sub in metadata.requires(requirement.name) or []:
            sub_requirement = Requirement(sub)
            if sub_requirement.marker is None or sub_requirement.marker.evaluate({"extra": ""}):
                needed.append(sub_requirement)


def shown_session() -> list[tuple[str, str]]:
    """(command, output) pairs of the README's first ```text block, which shows the first command's run."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```text\n(\$ timeline build.*?)```", text, re.S)
    assert block, "README.md shows the first command's output in a ```text block"
    pairs = []
    for chunk in re.split(r"^\$ ", block[1], flags=re.M)[1:]:
        command, _, output = chunk.partition("\n")
        pairs.append((command, output.strip("\n")))
    return pairs


def _masked(text: str) -> str:
    return re.sub(r"\d+\.\d\d s\)", "N s)", text).strip("\n")


def test_the_readme_shows_the_first_commands_real_output(tmp_path, monkeypatch) -> None:
    """Run what the README shows, in a clone-like working directory, and compare (times masked)."""
    import shlex

    from click.testing import CliRunner

    from timeline.cli import cli

    (tmp_path / "sources").symlink_to(ROOT / "sources")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_OUT", raising=False)
    run, _ = commands()
    pairs = shown_session()
    assert [c for c, _ in pairs] == [c.strip() for c in run.split("&&") if c.strip().startswith("timeline ")]
    for command, shown in pairs:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        real, wanted = _masked(result.output).splitlines(), _masked(shown).splitlines()
        if "..." in wanted:  # the README shows the start and the end of a long output
            cut = wanted.index("...")
            head, tail = wanted[:cut], wanted[cut + 1:]
            assert real[:len(head)] == head and real[len(real) - len(tail):] == tail, f"$ {command}\n{result.output}"
        else:
            assert real == wanted, f"$ {command}\n{result.output}"


def test_the_library_example_runs(tmp_path, monkeypatch) -> None:
    # The README's "As a library" block, run as a reader would paste it, in an empty directory.
    section = README.read_text(encoding="utf-8").split("## As a library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README
    records = scope["result"].records()
    assert (tmp_path / "out" / "rekognition" / "graph.nq").is_file()
    assert records and all(int(r["shared"]) >= 3 for r in records)


def _authoring_session() -> list[tuple[str, str]]:
    """The `$ timeline ...` commands of the README's authoring section, each with the output shown."""
    section = README.read_text(encoding="utf-8").split("## Authoring a case", 1)[1].split("\n## ", 1)[0]
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```text\n(.*?)```", section, re.S):
        for chunk in re.split(r"^(?=\$ timeline )", block, flags=re.M):
            if chunk.startswith("$ timeline "):
                command, _, shown = chunk.partition("\n")
                pairs.append((command[2:], shown))
    return pairs


def test_the_readme_authoring_walk_through_shows_real_output(tmp_path, monkeypatch) -> None:
    """new, add (.txt and a saved .html page), draft, accept and build, replayed from the repository root."""
    import shlex

    from click.testing import CliRunner

    from timeline.cli import cli

    (tmp_path / "tests").symlink_to(ROOT / "tests")
    monkeypatch.chdir(tmp_path)
    for name in ("TIMELINE_OUT", "TIMELINE_CASE"):
        monkeypatch.delenv(name, raising=False)
    pairs = _authoring_session()
    assert [c.split()[1] for c, _ in pairs] == ["new", "add", "add", "add", "draft", "accept", "build"]
    for command, shown in pairs:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], env={"COLUMNS": "100"})
        assert result.exit_code == (1 if "error:" in shown else 0), result.output
        assert _masked(result.output).splitlines() == _masked(shown).splitlines(), f"$ {command}\n{result.output}"
    assert (tmp_path / "out" / "ice" / "timeline.html").is_file()
