"""Which case a command uses: the one it is given, else ``$TIMELINE_CASE``, else ``./timeline.toml``, else
the sample; and where that case's built graph is.

Every command that reads a case asks this module, so they all choose alike; it is kept light (no RDF, no
rendering) because every read command imports it before doing anything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from timeline import resources
from timeline.errors import TimelineError, display_path

#: The file in a working directory that names its case (``case = "sources/my-case"``).
PROJECT_FILE = "timeline.toml"
CASE_ENV = "TIMELINE_CASE"
HOW_TO_CHOOSE = f"choose a case with --case CASE, ${CASE_ENV} or `case = \"DIR\"` in ./{PROJECT_FILE}"


@dataclass(frozen=True)
class CaseChoice:
    """The case a command uses, and why: ``argument``, ``$TIMELINE_CASE``, ``./timeline.toml`` or ``sample``."""

    path: Path
    how: str

    def note(self) -> str:
        """``case: sources/rekognition (the sample)``: said by a command that reads a case it was not given."""
        what = "the sample" if self.how == "sample" else f"from {self.how}"
        return f"case: {display_path(self.path)} ({what})"

    def describe(self) -> str:
        """``sources/rekognition (the sample case: ...)``, for messages that must say which case was assumed."""
        shown = display_path(self.path)
        if self.how == "argument":
            return shown
        if self.how == "sample":
            return f"{shown} (the sample case; {HOW_TO_CHOOSE})"
        return f"{shown} (from {self.how})"


def choose_case(name_or_path: str | Path | None, cwd: Path | None = None) -> CaseChoice:
    """The case a command uses: the one it is given, else ``$TIMELINE_CASE``, else the ``case`` of
    ``./timeline.toml``, else the sample.

    A name is looked up as a directory first, then under ``./sources/`` (so a clone's own copy of a
    bundled case wins over the copy installed with the package), then among the bundled cases.
    """
    cwd = cwd or Path.cwd()
    if name_or_path is not None and str(name_or_path) != "":
        return CaseChoice(_named_case(name_or_path, cwd), "argument")
    from_env = os.environ.get(CASE_ENV, "").strip()
    if from_env:
        return _existing(CaseChoice(_named_case(from_env, cwd), f"${CASE_ENV}"))
    project = cwd / PROJECT_FILE
    if project.is_file():
        return _existing(CaseChoice(_project_case(project), f"./{PROJECT_FILE}"))
    return CaseChoice(_named_case(resources.SAMPLE_CASE, cwd), "sample")


def _existing(choice: CaseChoice) -> CaseChoice:
    """A case chosen by a setting must exist: the error names the setting to fix."""
    if not choice.path.is_dir():
        raise TimelineError(f"{display_path(choice.path)} (from {choice.how}): no such case directory; "
                            f"{HOW_TO_CHOOSE}")
    return choice


def _named_case(name_or_path: str | Path, cwd: Path) -> Path:
    path = Path(name_or_path)
    if path.exists() or path.is_absolute() or len(path.parts) > 1:
        return path
    local = cwd / "sources" / path
    if local.is_dir():  # a working tree's own copy, even a broken one: never fall back to another silently
        return local
    bundled = resources.sources_dir() / path
    return bundled if bundled.is_dir() else path


def _project_case(project: Path) -> Path:
    """The ``case`` key of a ``timeline.toml``, relative to the file's directory."""
    import tomllib

    shown = display_path(project)
    try:
        data = tomllib.loads(project.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TimelineError(f"{shown}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line N, column M)"
        raise TimelineError(f"{shown}: invalid TOML: {exc}; write `case = \"path/to/case\"`") from None
    case = data.get("case")
    if not isinstance(case, str) or not case.strip():
        raise TimelineError(f"{shown}: no `case = \"path/to/case\"` line naming the case directory")
    return project.parent / Path(case)  # an absolute path stays as it is


def resolve_case(name_or_path: str | Path | None) -> Path:
    """A case directory from a path, the name of a bundled case, or None for the chosen case (see
    :func:`choose_case`)."""
    return choose_case(name_or_path).path


def built_graph(choice: CaseChoice, out_dir: Path | None = None) -> Path:
    """The built graph of a case, or an error saying which case was assumed and how to build or choose."""
    path = default_output(choice.path, out_dir)
    if not choice.path.is_dir():
        raise TimelineError(f"{choice.describe()}: no such case directory; give a case directory or the name of "
                            f"one under ./sources/ (or {HOW_TO_CHOOSE})")
    if not path.is_file():
        named = f" {display_path(choice.path)}" if choice.how == "argument" else ""
        also = "" if choice.how == "sample" else f", or {HOW_TO_CHOOSE}"
        raise TimelineError(f"{display_path(path)}: no built graph of {choice.describe()}; "
                            f"build it with `timeline build{named}`{also}")
    return path


def default_output(case_dir: Path, out_dir: Path | None = None) -> Path:
    """``<out>/<case directory name>/graph.nq``."""
    return (out_dir or resources.default_out_dir()) / case_dir.name / "graph.nq"
